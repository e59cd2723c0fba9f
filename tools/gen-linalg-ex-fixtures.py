"""PyTorch oracle for Tensile's linalg _ex variants, LDLᵀ and eig (src/ops/linalg-ex.ts,
linalg-ldl.ts, linalg-eig.ts). Run from the repository root with Debian's torch (1.13):

    /usr/bin/python3 tools/gen-linalg-ex-fixtures.py [--out DIR]

Writes fixtures/linalg-ex.json (deterministic): {"generator", "torch", "cases": [...]}, one case
per call: {"op": torch.linalg's name, "name", "inputs": {name: tensor}, "options": {Tensile's
option names}, "outputs": {name: tensor}, "gradOutputs"?: {name: tensor}, "grads"?: {input name:
tensor}}. A tensor is {"shape", "dtype", "data"} (flat, row-major; "nan", "inf", "-inf" as
strings). Complex results (eig, eigvals) are written as torch.view_as_real gives them, the layout
Tensile returns. "grads" are the gradients of sum(output · gradOutput) over the outputs named in
"gradOutputs" (for eig: a loss on |v|², which does not depend on the eigenvectors' phase).
test/linalg-ex.test.ts reads it.
"""
import argparse
import json
import math
import os
import sys

sys.dont_write_bytecode = True

import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = {"generator": "tools/gen-linalg-ex-fixtures.py", "torch": torch.__version__}
torch.set_num_threads(1)
F64 = torch.float64


def num(v):
    if isinstance(v, bool):
        return v
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def enc(t):
    t = t.detach()
    if t.is_complex():
        t = torch.view_as_real(t)
    dtype = {torch.float64: "float64", torch.float32: "float32", torch.int32: "int32"}[t.dtype]
    data = [num(float(v)) if dtype != "int32" else int(v) for v in t.reshape(-1).tolist()]
    return {"shape": list(t.shape), "dtype": dtype, "data": data}


def mat(shape, seed, dtype=F64):
    """Deterministic entries: sin of a quadratic in the flat index."""
    n = 1
    for s in shape:
        n *= s
    i = torch.arange(n, dtype=F64)
    return (torch.sin(seed + 1.7 * i + 0.31 * i * i) * 2).reshape(shape).to(dtype)


def sym(shape, seed, dtype=F64):
    a = mat(shape, seed)
    return ((a + a.mT) / 2).to(dtype)


def spd(shape, seed, dtype=F64):
    a = mat(shape, seed)
    n = shape[-1]
    return (a @ a.mT + n * torch.eye(n, dtype=F64)).to(dtype)


def weights_like(t, seed):
    return mat(list(t.shape), seed + 0.5, t.dtype if not t.is_complex() else F64)


CASES = []


def case(op, name, inputs, options, outputs, grad_of=None, grads=None):
    c = {"op": op, "name": name, "inputs": {k: enc(v) for k, v in inputs.items()}, "options": options,
         "outputs": {k: enc(v) for k, v in outputs.items()}}
    if grad_of:
        c["gradOutputs"] = {k: enc(v) for k, v in grad_of.items()}
        c["grads"] = {k: enc(v) for k, v in grads.items()}
    CASES.append(c)


def run_grad(fn, inputs, diff, seed):
    """Calls fn on copies of inputs (those named in diff requiring grad); returns outputs, weights, grads."""
    leaves = {k: (v.clone().requires_grad_() if k in diff else v) for k, v in inputs.items()}
    outs = fn(**leaves)
    ws = {k: weights_like(v, seed + i) for i, (k, v) in enumerate(outs.items()) if v.is_floating_point() and v.requires_grad}
    if not ws:
        return outs, None, None
    loss = sum((outs[k] * w).sum() for k, w in ws.items())
    loss.backward()
    return outs, ws, {k: leaves[k].grad for k in diff}


def cholesky_cases():
    not_pd = torch.tensor([[1., 2], [2, 1]], dtype=F64)
    order2 = torch.tensor([[4., 2, 1], [2, 1, 1], [1, 1, 3]], dtype=F64)
    nonsym = torch.tensor([[4., 100], [1, 3]], dtype=F64)
    for name, A, upper, grad in [
        ("spd 4x4", spd([4, 4], 1), False, True),
        ("spd 4x4 upper", spd([4, 4], 1), True, True),
        ("spd batch float32", spd([2, 3, 3], 2, torch.float32), False, True),
        ("not positive-definite at order 2", not_pd, False, False),
        ("not positive-definite at order 2 upper", not_pd, True, False),
        ("3x3 fails at order 2", order2, False, False),
        ("batch: second fails", torch.stack([spd([3, 3], 3), order2]), False, False),
        ("non-symmetric: lower read", nonsym, False, False),
        ("non-symmetric: upper read", nonsym, True, False),
        ("negative 1x1", torch.tensor([[-2.]], dtype=F64), False, False),
    ]:
        fn = lambda A: dict(zip(["L", "info"], torch.linalg.cholesky_ex(A, upper=upper)))  # noqa: E731
        outs, ws, gs = run_grad(fn, {"A": A}, ["A"] if grad else [], 10)
        case("cholesky_ex", name, {"A": A}, {"upper": upper}, outs, ws, gs)


def inv_solve_lu_cases():
    Z = torch.tensor([[1., 2], [2, 4]], dtype=F64)
    Z3 = torch.tensor([[1., 2, 3], [2, 4, 6], [1, 0, 1]], dtype=F64)
    for name, A, grad in [
        ("4x4", mat([4, 4], 1), True),
        ("batch float32", mat([2, 3, 3], 2, torch.float32), True),
        ("singular 2x2", Z, False),
        ("singular 3x3: zero pivot at 2", Z3, False),
        ("zero 3x3", torch.zeros(3, 3, dtype=F64), False),
        ("batch: second singular", torch.stack([mat([2, 2], 3), Z]), False),
    ]:
        fn = lambda A: dict(zip(["inverse", "info"], torch.linalg.inv_ex(A)))  # noqa: E731
        outs, ws, gs = run_grad(fn, {"A": A}, ["A"] if grad else [], 20)
        case("inv_ex", name, {"A": A}, {}, outs, ws, gs)
    for name, A, B, left, grad in [
        ("matrix B", mat([3, 3], 4), mat([3, 2], 5), True, True),
        ("vector B", mat([3, 3], 4), mat([3], 6), True, True),
        ("left false", mat([3, 3], 4), mat([2, 3], 7), False, True),
        ("batch broadcast", mat([2, 1, 3, 3], 8), mat([4, 3, 1], 9), True, True),
        ("singular", Z, torch.tensor([[1.], [1.]], dtype=F64), True, False),
        ("singular left false", Z, torch.tensor([[1., 2.]], dtype=F64), False, False),
        ("batch: first singular", torch.stack([Z, mat([2, 2], 3)]), mat([2, 2, 1], 10), True, False),
    ]:
        fn = lambda A, B: dict(zip(["result", "info"], torch.linalg.solve_ex(A, B, left=left)))  # noqa: E731
        outs, ws, gs = run_grad(fn, {"A": A, "B": B}, ["A", "B"] if grad else [], 30)
        case("solve_ex", name, {"A": A, "B": B}, {"left": left}, outs, ws, gs)
    for name, A, grad in [
        ("4x4", mat([4, 4], 1), True),
        ("wide 3x5", mat([3, 5], 2), True),
        ("tall batch 2x5x3", mat([2, 5, 3], 3), True),
        ("singular 2x2", Z, False),
        ("singular 3x3", Z3, False),
        ("batch: second singular", torch.stack([mat([2, 2], 3), Z]), False),
    ]:
        fn = lambda A: dict(zip(["LU", "pivots", "info"], torch.linalg.lu_factor_ex(A)))  # noqa: E731
        outs, ws, gs = run_grad(fn, {"A": A}, ["A"] if grad else [], 40)
        case("lu_factor_ex", name, {"A": A}, {}, outs, ws, gs)


def ldl_cases():
    # matrices that take 1×1 pivots, swapped 1×1 pivots and 2×2 pivots
    small_diag = torch.tensor([[0.1, 3, 1, 2], [3, 0.2, 2, 1], [1, 2, 5, 1], [2, 1, 1, 0.3]], dtype=F64)
    swap = torch.tensor([[1., 4, 0.5], [4, 20, 1], [0.5, 1, 2]], dtype=F64)
    mats = [
        ("symmetric 3x3", torch.tensor([[4., 2, 1], [2, -3, 5], [1, 5, 0.5]], dtype=F64)),
        ("2x2 pivot [[0,1],[1,0]]", torch.tensor([[0., 1], [1, 0]], dtype=F64)),
        ("small diagonal 4x4 (2x2 pivots)", small_diag),
        ("swapped 1x1 pivot", swap),
        ("indefinite 6x6", sym([6, 6], 1)),
        ("indefinite 8x8", sym([8, 8], 2) - 2 * torch.eye(8, dtype=F64)),
        ("zero-diagonal 5x5", sym([5, 5], 3) * (1 - torch.eye(5, dtype=F64))),
        ("spd 5x5", spd([5, 5], 4)),
        ("batch float32", sym([3, 4, 4], 5, torch.float32)),
        ("zero matrix: info 1", torch.zeros(3, 3, dtype=F64)),
        ("second column zero after the first step", torch.tensor([[1., 1, 0], [1, 1, 0], [0, 0, 2]], dtype=F64)),
    ]
    for name, A in mats:
        LD, piv, info = torch.linalg.ldl_factor_ex(A)
        outs = {"LD": LD, "pivots": piv, "info": info}
        inputs = {"A": A}
        if bool((info == 0).all()):
            B = mat(list(A.shape[:-1]) + [2], 7, A.dtype)
            inputs["B"] = B
            outs["X"] = torch.linalg.ldl_solve(LD, piv, B)
        case("ldl_factor_ex", name, inputs, {}, outs)


def eig_cases():
    rot = torch.tensor([[0., -1, 2], [1, 0, 3], [0, 0, 5]], dtype=F64)
    for name, A, grad in [
        ("real eigenvalues 4x4", sym([4, 4], 1) + 0.3 * mat([4, 4], 2), True),
        ("complex pair 3x3", rot, True),
        ("general 4x4", torch.tensor([[1., 2, 3, 4], [5, 6, 7, 8], [9, 1, 2, 3], [4, 5, 6, 1]], dtype=F64), True),
        ("general 5x5", mat([5, 5], 3), True),
        ("general 7x7", mat([7, 7], 4), True),
        ("cyclic permutation 4x4", torch.roll(torch.eye(4, dtype=F64), 1, 1), False),
        ("upper triangular", torch.triu(mat([4, 4], 5)), False),
        ("batch float32", mat([2, 3, 3], 6, torch.float32), False),
        ("1x1", torch.tensor([[-2.5]], dtype=F64), False),
    ]:
        def fn(A):
            L, V = torch.linalg.eig(A)
            return {"eigenvalues": L, "eigenvectors": V}
        if grad:
            A_ = A.clone().requires_grad_()
            L, V = torch.linalg.eig(A_)
            wl = mat([A.shape[-1], 2], 11)
            wv = mat(list(V.shape), 12)
            loss = (torch.view_as_real(L) * wl).sum() + (V.abs() ** 2 * wv).sum()
            loss.backward()
            case("eig", name, {"A": A}, {}, {"eigenvalues": L, "eigenvectors": V},
                 {"eigenvalues": wl, "eigenvectorsAbs2": wv}, {"A": A_.grad})
        else:
            case("eig", name, {"A": A}, {}, fn(A))
    A = mat([3, 4, 4], 7)
    case("eigvals", "batch", {"A": A}, {}, {"eigenvalues": torch.linalg.eigvals(A)})


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"), help="output folder")
    opts = ap.parse_args()
    cholesky_cases()
    inv_solve_lu_cases()
    ldl_cases()
    eig_cases()
    os.makedirs(opts.out, exist_ok=True)
    body = ",\n".join(json.dumps(c, separators=(",", ":"), allow_nan=False) for c in CASES)
    text = f'{{"generator":{json.dumps(HEADER["generator"])},"torch":{json.dumps(HEADER["torch"])},\n"cases":[\n{body}\n]}}\n'
    with open(os.path.join(opts.out, "linalg-ex.json"), "w", encoding="utf-8") as f:
        f.write(text)
    print(f"torch {torch.__version__}: linalg-ex.json: {len(CASES)} cases / {len(text) / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
