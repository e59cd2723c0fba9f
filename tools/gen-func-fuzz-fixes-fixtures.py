"""functorch 1.13 oracle for what fuzzing `func` (tools/fuzz/vmap-consistency.mts and the fuzz family
"func", tools/fuzz/fam_func.py) found: vmap with in-place writes into mapped inputs (in dims 0 and 1:
the batched input holds the writes), jvp of a function with an integer output (a zero integer
tangent; Tensile crashed), and the fuzz family's compositions — jacrev/jacfwd/hessian with argnums
tuples, tuple/list/dict outputs, has_aux, vjp with dict cotangents, jvp with has_aux. functorch
1.13's jacfwd and hessian return zeros for a negative argnums (its bug): the fixture takes them at
the equivalent positive argnums, which Tensile's negative argnums must match. Tests in
test/func-fuzz-fixes.test.ts. Run from the repository root with Debian's torch (1.13):

    /usr/bin/python3 tools/gen-func-fuzz-fixes-fixtures.py [--out DIR]

Writes fixtures/func-fuzz-fixes.json.
"""
import argparse
import os
import sys
import warnings

sys.dont_write_bytecode = True
warnings.filterwarnings("ignore")

import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402
import functorch as ft  # noqa: E402
from torchfix.fixio import enc, write_json  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = {"generator": "tools/gen-func-fuzz-fixes-fixtures.py", "torch": torch.__version__}
torch.set_num_threads(1)
F64 = torch.float64


def tree(x):
    """A result tree as JSON: tensors encoded, tuples and lists as arrays, dicts as objects."""
    if isinstance(x, torch.Tensor):
        return enc(x)
    if isinstance(x, (list, tuple)):
        return [tree(c) for c in x]
    return {k: tree(c) for k, c in x.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"))
    a = ap.parse_args()
    g = torch.Generator().manual_seed(7)
    X = torch.randn(3, 4, generator=g, dtype=F64)
    Y = torch.randn(4, generator=g, dtype=F64)
    a_ = torch.randn(3, generator=g, dtype=F64)
    b_ = torch.randn(3, generator=g, dtype=F64)
    t_ = torch.randn(3, generator=g, dtype=F64)
    Y1 = torch.randn(4, generator=g, dtype=F64)
    out = dict(HEADER, X=enc(X), Y=enc(Y), Y1=enc(Y1), a=enc(a_), b=enc(b_), t=enc(t_))

    # in-place writes into mapped inputs: the result and the batched input afterwards
    x0 = X.clone()
    r0 = ft.vmap(lambda x, y: x.mul_(y.tanh()).add_(1), in_dims=(0, None))(x0, Y)
    x1 = X.clone()
    r1 = ft.vmap(lambda x, y: x.clamp_(-0.5, 0.5).mul_(y), in_dims=(1, 0))(x1, Y1)
    out["inplace"] = {"r0": enc(r0), "x0": enc(x0), "r1": enc(r1), "x1": enc(x1)}

    # jvp with an integer output
    o, jo = ft.jvp(lambda x: (x.sin().sum(), x.argmax(), x * 2), (a_,), (t_,))
    out["jvp_int"] = {"out": tree(o), "jvp": tree(jo)}

    # negative argnums: functorch's jacfwd/hessian at the equivalent positive argnums
    f = lambda x, y: (x.sin() * y).tanh() + x * y.sum()  # noqa: E731
    h = lambda x, y: ((x * y).sin().sum() + (x ** 3).sum() * y.sum())  # noqa: E731
    out["neg"] = {"jacfwd": tree(ft.jacfwd(f, argnums=1)(a_, b_)), "jacrev": tree(ft.jacrev(f, argnums=-1)(a_, b_)),
                  "hessian": tree(ft.hessian(h, argnums=1)(a_, b_)), "hessian01": tree(ft.hessian(h, argnums=(0, 1))(a_, b_))}

    # pytrees: tuple/list/dict outputs, argnums tuples, has_aux
    def fo(x, y):
        u = x.sin() * y
        return ({"p": u, "q": [u.sum(), (x - y).cos()]}, x.exp().tanh())
    out["tree"] = {
        "jacrev": tree(ft.jacrev(fo, argnums=(1, 0))(a_, b_)),
        "jacfwd_aux": tree(ft.jacfwd(lambda x, y: (fo(x, y)[0], y.cos()), argnums=(0,), has_aux=True)(a_, b_)),
    }
    pv, vfn, aux = ft.vjp(lambda x, y: (fo(x, y)[0], x.sum()), a_, b_, has_aux=True)
    cot = {"p": t_, "q": [torch.tensor(0.5, dtype=F64), t_.flip(0)]}
    out["tree"]["vjp"] = {"out": tree(pv), "grads": tree(vfn(cot)), "aux": tree(aux)}
    jo, jt, jaux = ft.jvp(lambda x, y: (fo(x, y), (x * y).sum()), (a_, b_), (t_, t_.flip(0)), has_aux=True)
    out["tree"]["jvp"] = {"out": tree(jo), "jvp": tree(jt), "aux": tree(jaux)}
    # per-sample gradients of vmap(grad) and vmap(jacrev) with argnums tuples
    loss = lambda w, x, y: ((x * w).sum().tanh() - y) ** 2  # noqa: E731
    ys = torch.tensor([0.5, -1.0, 2.0], dtype=F64)
    out["vmap"] = {"ys": enc(ys), "grad": tree(ft.vmap(ft.grad(loss), in_dims=(None, 0, 0))(Y, X, ys)),
                   "jacrev": tree(ft.vmap(ft.jacrev(lambda w, x: (w * x).sin(), argnums=(0, 1)), in_dims=(None, 1))(a_, X[:, :3]))}
    write_json(a.out, "func-fuzz-fixes.json", out)


if __name__ == "__main__":
    main()
