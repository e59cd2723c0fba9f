"""PyTorch oracle for `setDefaultDtype` (torch.set_default_dtype): under each default (float32,
float64), the dtype each named expression gives in torch 1.13 — creation functions, layers'
parameters and buffers, integer tensors promoted by float scalars and float functions, Python-scalar
pairs, distributions built from numbers — plus a few values (float64 results that float32 would
round). test/default-dtype.test.ts evaluates the same names in Tensile and compares.
Run from the repository root with Debian's torch (1.13):

    /usr/bin/python3 tools/gen-default-dtype-fixtures.py [--out DIR]

Writes fixtures/default-dtype.json. dtypes are Tensile's names (int64 as int32).
"""
import argparse
import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torchfix.pin_cpu  # noqa: F401,E402  (before torch: fixed CPU kernels)
import torch  # noqa: E402
from torch import nn  # noqa: E402
from torchfix.fixio import enc, write_json  # noqa: E402

warnings.filterwarnings("ignore")

NAMES = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int32", torch.int32: "int32", torch.bool: "bool"}


def cases():
    """name → a function giving a tensor (its dtype is recorded). Keep in step with the test."""
    i = lambda: torch.tensor([1, 4, 9])  # noqa: E731
    f32 = lambda: torch.tensor([1.5, 2.5], dtype=torch.float32)  # noqa: E731
    return {
        "tensor_float": lambda: torch.tensor([1.5, 2.5]),
        "tensor_int": i,
        "tensor_bool": lambda: torch.tensor([True, False]),
        "zeros": lambda: torch.zeros(2, 3),
        "ones": lambda: torch.ones(2),
        "empty": lambda: torch.empty(2),
        "full_float": lambda: torch.full((2,), 1.5),
        "rand": lambda: torch.rand(3),
        "randn": lambda: torch.randn(3),
        "randint": lambda: torch.randint(0, 5, (3,)),
        "linspace": lambda: torch.linspace(0, 1, 5),
        "logspace": lambda: torch.logspace(0, 1, 5),
        "eye": lambda: torch.eye(3),
        "arange_float": lambda: torch.arange(0, 1, 0.25),
        "arange_int": lambda: torch.arange(3),
        "scalar_tensor": lambda: torch.scalar_tensor(1.5),
        "hann_window": lambda: torch.hann_window(4),
        "fftfreq": lambda: torch.fft.fftfreq(4),
        "int_sqrt": lambda: i().sqrt(),
        "int_sigmoid": lambda: torch.sigmoid(i()),
        "int_add_float": lambda: i() + 0.5,
        "int_mul_int": lambda: i() * 2,
        "int_div_int": lambda: i() / torch.tensor([2, 2, 2]),
        "f32_add_float": lambda: f32() + 0.5,
        "f32_add_default": lambda: f32() + torch.zeros(2),
        "where_scalars": lambda: torch.where(torch.tensor([True, False]), 1.5, 2.5),
        "linear_weight": lambda: nn.Linear(3, 2).weight,
        "linear_bias": lambda: nn.Linear(3, 2).bias,
        "conv_weight": lambda: nn.Conv2d(1, 2, 3).weight,
        "bn_running_mean": lambda: nn.BatchNorm1d(3).running_mean,
        "embedding_weight": lambda: nn.Embedding(4, 2).weight,
        "lstm_weight": lambda: nn.LSTM(2, 3).weight_ih_l0,
        "normal_sample": lambda: torch.distributions.Normal(0.0, 1.0).sample(),
        "bernoulli_probs": lambda: torch.distributions.Bernoulli(probs=0.3).probs,
    }


def values():
    """Results whose float64 and float32 values differ: what the default changes numerically."""
    return {
        "third": enc(torch.tensor([1.0]) / 3),
        "linspace": enc(torch.linspace(0, 1, 7)),
        "int_sqrt": enc(torch.tensor([2, 3, 5]).sqrt()),
        "arange": enc(torch.arange(0, 1, 0.1)),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="fixtures")
    args = ap.parse_args()
    out = {}
    for default in (torch.float32, torch.float64):
        torch.set_default_dtype(default)
        out[NAMES[default]] = {"dtypes": {k: NAMES[fn().dtype] for k, fn in cases().items()}, "values": values()}
    torch.set_default_dtype(torch.float32)
    write_json(args.out, "default-dtype.json", out)


if __name__ == "__main__":
    main()
