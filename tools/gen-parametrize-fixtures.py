"""PyTorch oracle for nn.utils.parametrize and nn.utils.parametrizations (Tensile's
nn.utils.parametrize.registerParametrization & co., parametrizations.orthogonal and spectralNorm).
Run from the repository root with Debian's torch (1.13):

    /usr/bin/python3 tools/gen-parametrize-fixtures.py [--out DIR]

Writes fixtures/parametrize.json (deterministic). Modules get their weights from formulas (written
too). Where PyTorch draws random numbers (orthogonal's base for a non-square weight, spectral
norm's initial u and v) the whole state dict after registration is written, for the test to load (spectral norm's u and
v are then set to far-from-converged formula vectors first).

Per case: the module and its weights, the ops applied, the state dict (keys and values) after
registering, the forward output for a fixed input (several, in training mode, for spectral norm,
whose u and v then update), the gradients of loss = (out * R).sum() with respect to the named
parameters (the originals, not the computed weight), the parametrized weight, and after
remove_parametrizations (leave_parametrized True and False) the keys and the weight.
"""
import argparse
import json
import math
import os
import sys

sys.dont_write_bytecode = True

import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402
import torch.nn.utils.parametrize as P  # noqa: E402
import torch.nn.utils.parametrizations as PZ  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = {"generator": "tools/gen-parametrize-fixtures.py", "torch": torch.__version__}
torch.set_num_threads(1)


def enc(t):
    t = t.detach()
    dtype = "float64" if t.dtype == torch.float64 else "float32"
    return {"shape": list(t.shape), "dtype": dtype, "data": [float(v) for v in t.reshape(-1).tolist()]}


def formula(shape, k, scale=0.5):
    n = math.prod(shape)
    i = torch.arange(n, dtype=torch.float64)
    return (scale * torch.sin(0.37 * i + 1.3 * k + 0.2)).reshape(shape).float()


def full_rank(shape, k, scale=0.5):
    """Like formula, with a quadratic phase: sin(a·i + b) alone gives matrices of rank 2, whose QR is not unique."""
    n = math.prod(shape)
    i = torch.arange(n, dtype=torch.float64)
    return (scale * torch.sin(0.37 * i + 0.11 * i * i + 1.3 * k + 0.2)).reshape(shape).float()


KINDS = {
    "linear33": (lambda: torch.nn.Linear(3, 3), [2, 3]),
    "linear44": (lambda: torch.nn.Linear(4, 4), [2, 4]),
    "linear35": (lambda: torch.nn.Linear(3, 5), [2, 3]),
    "linear53": (lambda: torch.nn.Linear(5, 3), [2, 5]),
    "conv": (lambda: torch.nn.Conv2d(2, 3, 3), [2, 2, 5, 5]),
    "convt": (lambda: torch.nn.ConvTranspose2d(3, 2, 2), [1, 3, 3, 3]),
}


def make(kind):
    m = KINDS[kind][0]()
    with torch.no_grad():
        for k, (name, p) in enumerate(m.named_parameters()):
            p.copy_(full_rank(p.shape, k))
    return m


class Symmetric(torch.nn.Module):
    def forward(self, X):
        return X.triu() + X.triu(1).T


class SymmetricInv(Symmetric):
    def right_inverse(self, A):
        return A.triu()


class Double(torch.nn.Module):
    def forward(self, X):
        return X * 2

    def right_inverse(self, X):
        return X / 2


PARAMETRIZATIONS = {"symmetric": Symmetric, "symmetricInv": SymmetricInv, "double": Double}


def apply(m, op):
    """op: ["register", name, parametrization] | ["orthogonal", name, map, trivialization] | ["spectralNorm", name, n, eps, dim]."""
    if op[0] == "register":
        P.register_parametrization(m, op[1], PARAMETRIZATIONS[op[2]]())
    elif op[0] == "orthogonal":
        PZ.orthogonal(m, op[1], orthogonal_map=op[2], use_trivialization=op[3])
    elif op[0] == "spectralNorm":
        PZ.spectral_norm(m, op[1], n_power_iterations=op[2], eps=op[3], dim=op[4])


def grads(m, out):
    R = formula(list(out.shape), 5, 1.0)
    m.zero_grad()
    (out * R).sum().backward()
    return {n: enc(p.grad) for n, p in m.named_parameters()}


def case(name, kind, ops, forwards=1, assign=None):
    torch.manual_seed(0)
    m = make(kind)
    c = {"name": name, "module": kind, "ops": ops, "init": {k: enc(v) for k, v in m.state_dict().items()}}
    for op in ops:
        apply(m, op)
    if ops[0][0] == "spectralNorm":
        # u, v far from converged (PyTorch's start after 15 iterations nearly is), so that every
        # power-iteration step shows in the outputs
        sn = m.parametrizations.weight[0]
        with torch.no_grad():
            sn._u.copy_(torch.nn.functional.normalize(formula(list(sn._u.shape), 8, 1.0), dim=0))
            sn._v.copy_(torch.nn.functional.normalize(formula(list(sn._v.shape), 9, 1.0), dim=0))
    x = formula(KINDS[kind][1], 11, 1.0)
    c["x"] = enc(x)
    c["registered"] = {k: enc(v) for k, v in m.state_dict().items()}
    outs = []
    for _ in range(forwards):
        out = m(x)
        outs.append(enc(out))
    c["outs"] = outs
    c["grads"] = grads(m, out)
    with torch.no_grad():
        c["weight"] = enc(m.weight)  # (in training mode: one more power iteration for spectral norm)
    c["state"] = {k: enc(v) for k, v in m.state_dict().items()}
    m.eval()
    with torch.no_grad():
        c["evalOut"] = enc(m(x))
    if assign is not None:
        value = full_rank(list(m.weight.shape), 3, 1.0)
        m.weight = value
        c["assign"] = {"value": enc(value), "state": {k: enc(v) for k, v in m.state_dict().items()}}
        with torch.no_grad():
            c["assign"]["weight"] = enc(m.weight)
    for leave in (True, False):
        mm = make(kind)
        for op in ops:
            apply(mm, op)
        mm.load_state_dict(m.state_dict())
        mm.eval()
        try:
            P.remove_parametrizations(mm, "weight", leave_parametrized=leave)
        except ValueError as e:
            c["removeError" + str(leave)] = str(e)
            continue
        key = "removeLeave" if leave else "removeOriginal"
        c[key] = {"keys": list(mm.state_dict().keys()), "weight": enc(mm.weight),
                  "isParameter": isinstance(mm.weight, torch.nn.Parameter), "className": type(mm).__name__}
    return c


def buffer_case():
    m = torch.nn.Module()
    m.register_buffer("M", full_rank([3, 3], 2))
    P.register_parametrization(m, "M", Symmetric())
    return {"name": "buffer", "M0": enc(full_rank([3, 3], 2)), "keys": list(m.state_dict().keys()),
            "params": [n for n, _ in m.named_parameters()], "M": enc(m.M), "className": type(m).__name__}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    cases = [
        case("symmetric", "linear33", [["register", "weight", "symmetric"]]),
        case("chain", "linear33", [["register", "weight", "symmetricInv"], ["register", "weight", "double"]], assign=True),
        case("double-conv", "conv", [["register", "weight", "double"]], assign=True),
    ]
    for mp in ("matrix_exp", "cayley", "householder"):
        cases.append(case(f"orthogonal-{mp}", "linear44", [["orthogonal", "weight", mp, True]], assign=True))
        cases.append(case(f"orthogonal-{mp}-tall", "linear35", [["orthogonal", "weight", mp, True]]))
        cases.append(case(f"orthogonal-{mp}-conv", "conv", [["orthogonal", "weight", mp, True]]))
    cases.append(case("orthogonal-cayley-wide", "linear53", [["orthogonal", "weight", "cayley", True]]))
    cases.append(case("orthogonal-matrix_exp-notriv", "linear44", [["orthogonal", "weight", "matrix_exp", False]]))
    cases.append(case("orthogonal-cayley-notriv-tall", "linear35", [["orthogonal", "weight", "cayley", False]]))
    cases.append(case("orthogonal-householder-notriv", "linear53", [["orthogonal", "weight", "householder", False]], assign=True))
    cases.append(case("orthogonal-householder-notriv-tall", "linear35", [["orthogonal", "weight", "householder", False]]))
    cases.append(case("spectral-linear", "linear53", [["spectralNorm", "weight", 1, 1e-12, None]], forwards=3))
    cases.append(case("spectral-linear-dim1", "linear35", [["spectralNorm", "weight", 3, 1e-12, 1]], forwards=2))
    cases.append(case("spectral-conv", "conv", [["spectralNorm", "weight", 2, 1e-12, None]], forwards=3))
    cases.append(case("spectral-convt", "convt", [["spectralNorm", "weight", 1, 1e-12, None]], forwards=2))
    body = {"cases": cases, "buffer": buffer_case()}
    path = os.path.join(args.out, "parametrize.json")
    with open(path, "w") as f:
        json.dump({**HEADER, **body}, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
