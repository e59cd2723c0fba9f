#!/usr/bin/env python3
"""Fits the polynomials of the float32 erf in assembly/simdmath.ts (ERF_K) and checks them.

    /usr/bin/python3 tools/fit-erf.py

- below |x| = A: erf(x)/x as a degree-5 polynomial in s = x²;
- from A to 4: erfc(x)·e^(x²) as a degree-8 polynomial in t = 1/x (erf = 1 − e^(−x²)·R(t)).

Each is a least-squares fit of the relative error on Chebyshev-like nodes, reweighted (Lawson's
iteration) toward the minimax fit. Prints the coefficients, lowest degree first (ERF_K lists them
highest first), and the largest error of the float32 evaluation the kernel does, in ulp of the
correctly rounded erf (Python's math.erf, in double precision, rounded to float32).
"""
import math

import numpy as np

A = 0.921875
f32 = np.float32


def fit(fn, lo, hi, deg, var, nodes=6000, iters=30):
    xs = 0.5 * (hi + lo) + 0.5 * (hi - lo) * np.cos(np.linspace(0, np.pi, nodes))
    xs = xs[xs > 1e-6]
    y = np.array([fn(x) for x in xs])
    v = var(xs)
    w = np.ones_like(y)
    for _ in range(iters):
        V = np.vander(v, deg + 1, increasing=True)
        c, *_ = np.linalg.lstsq(V * (w / y)[:, None], w, rcond=None)
        err = (V @ c - y) / y
        w = w * np.sqrt(np.abs(err)) + 1e-30
        w /= w.max()
    return c, float(np.max(np.abs(err)))


small, e_small = fit(lambda x: math.erf(x) / x, 0.0, A, 5, lambda x: x * x)
large, e_large = fit(lambda x: math.erfc(x) * math.exp(x * x), A, 4.0, 8, lambda x: 1 / x)
print("small (erf(x)/x in x², relative error %.2g):" % e_small, [float(c) for c in small])
print("large (erfc(x)·e^(x²) in 1/x, relative error %.2g):" % e_large, [float(c) for c in large])

cs = [f32(c) for c in small]
cl = [f32(c) for c in large]


def erf32(x):
    """The kernel's arithmetic, one float32 rounding per operation."""
    x = f32(x)
    ax = f32(abs(x))
    if ax < f32(A):
        s = f32(x * x)
        p = cs[-1]
        for c in cs[-2::-1]:
            p = f32(f32(p * s) + c)
        return f32(x * p)
    xc = min(ax, f32(4.0))
    t = f32(f32(1.0) / xc)
    q = cl[-1]
    for c in cl[-2::-1]:
        q = f32(f32(q * t) + c)
    r = f32(f32(1.0) - f32(f32(np.exp(f32(-f32(xc * xc)))) * q))
    return r if x > 0 else -r


worst, at = 0.0, 0.0
for x in np.linspace(-5, 5, 100001):
    x = float(f32(x))
    want = f32(math.erf(x))
    ulp = float(np.spacing(abs(want))) if want != 0 else float(np.spacing(f32(1e-45)))
    e = abs(float(erf32(x)) - float(want)) / ulp
    if e > worst:
        worst, at = e, x
print(f"float32 evaluation: at most {worst:.1f} ulp (at x = {at})")
