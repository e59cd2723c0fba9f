"""Sample specifications.

A sample is one call of one Tensile op: `Cases(op)("case", *args, ...)` records it. Its args are
written exactly as Tensile receives them (JS numbers, arrays, a trailing camelCase options object),
with input tensors given as `T` objects. `ADAPTERS[op]` maps those Tensile-form args onto torch, so
the fixture's args and the torch call can never drift apart.
"""
import re
import zlib

import torch

# Tensile op name -> (torch callable taking the Tensile-form args, differentiable?)
ADAPTERS = {}
SAMPLES = []
_NAMES = set()


def op(name, diff=True):
    """Register the torch adapter of a Tensile op (decorator)."""
    def deco(fn):
        assert name not in ADAPTERS, f"adapter {name} registered twice"
        ADAPTERS[name] = (fn, diff)
        return fn
    return deco


def snake(key):
    """camelCase option key -> torch's snake_case keyword (labelSmoothing -> label_smoothing)."""
    return re.sub(r"[A-Z]", lambda m: "_" + m.group(0).lower(), key)


def kw(opts):
    return {} if opts is None else {snake(k): v for k, v in opts.items()}


def seed_of(text):
    return zlib.crc32(text.encode())


class T:
    """An input tensor: a base tensor, whether it requires grad (None = by the op's rule: floating
    inputs of differentiable ops do), and optional view steps applied to the base before the call."""

    def __init__(self, base, grad=None, view=None):
        if not isinstance(base, torch.Tensor):
            base = torch.tensor(base)
        self.base = base.detach().clone()
        self.grad = grad
        self.view = view

    def requires_grad(self, diff):
        if self.grad is not None:
            return self.grad
        return diff and self.base.is_floating_point()


class Sample:
    def __init__(self, name, op_name, args, gradcheck, rtol, atol, check_args_after):
        self.name = name
        self.op = op_name
        self.args = list(args)
        self.gradcheck = gradcheck
        self.rtol = rtol
        self.atol = atol
        self.check_args_after = check_args_after


class Cases:
    """Collects the samples of one op. Creating it reseeds torch from the op name, so each op's
    inputs depend only on its own case list (adding a case elsewhere changes nothing here)."""

    def __init__(self, op_name):
        assert op_name in ADAPTERS, f"no adapter for {op_name}"
        self.op = op_name
        torch.manual_seed(seed_of(op_name))

    def __call__(self, case, *args, gradcheck=None, rtol=None, atol=None, check_args_after=None):
        name = f"{self.op}/{case}"
        assert name not in _NAMES, f"duplicate sample {name}"
        _NAMES.add(name)
        SAMPLES.append(Sample(name, self.op, args, gradcheck, rtol, atol, check_args_after))


# ---- input generators (float32 unless dtype given) ----

def rn(*shape, dtype=torch.float32):
    return torch.randn(shape, dtype=dtype)


def ru(lo, hi, *shape, dtype=torch.float32):
    return torch.rand(shape, dtype=dtype) * (hi - lo) + lo


def pos(*shape, dtype=torch.float32):
    """Positive values in [0.5, 2): safe for log, sqrt, reciprocal, pow bases."""
    return ru(0.5, 2.0, *shape, dtype=dtype)


def nonzero(*shape, dtype=torch.float32):
    """Magnitudes in [0.5, 2) with random signs: safe denominators."""
    sign = torch.where(torch.rand(shape) < 0.5, -1.0, 1.0).to(dtype)
    return pos(*shape, dtype=dtype) * sign


def away(x, kinks=(0.0,), gap=0.1):
    """Move entries within `gap` of a kink to distance `gap` from it, so finite differences and
    the analytic gradient agree there (relu at 0, clamp at its bounds, ...)."""
    x = x.clone()
    for k in kinks:
        d = x - k
        near = d.abs() < gap
        x[near] = k + torch.where(d[near] >= 0, gap, -gap).to(x.dtype)
    return x


def distinct(*shape, dtype=torch.float32, spacing=0.25):
    """Values with no ties: a shuffled grid with spacing `spacing` plus a small jitter, so any two
    entries differ by at least 0.6*spacing (max/min/argmax/pooling stay unambiguous and smooth)."""
    n = 1
    for s in shape:
        n *= s
    grid = torch.randperm(n).to(dtype) - (n - 1) / 2
    jitter = torch.rand(n, dtype=dtype) * 0.4 - 0.2
    return ((grid + jitter) * spacing).reshape(shape)


def grid(*shape, step=0.25, offset=0.0, dtype=torch.float32):
    """Random multiples of `step` (plus offset): two grids with offsets differing by d never tie
    and stay >= d apart (maximum/minimum)."""
    return (torch.round(torch.randn(shape) * 4) * step + offset).to(dtype)


def ints(lo, hi, *shape):
    return torch.randint(lo, hi, shape, dtype=torch.int32)


def bools(*shape):
    return torch.rand(shape) < 0.5


def f64(x):
    return x.to(torch.float64)


def long(t):
    """Tensile index tensors are int32; torch wants int64 for most index arguments."""
    return t.long() if isinstance(t, torch.Tensor) else t
