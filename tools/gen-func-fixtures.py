#!/usr/bin/env python3
"""functorch 1.13 reference values for test/func.test.ts (torch.func: grad, vjp, jvp, jacrev,
jacfwd, hessian, vmap, functional_call).

Run with Debian's torch: /usr/bin/python3 tools/gen-func-fixtures.py
Writes fixtures/func.json. Deterministic: every input is a closed-form value written into the
fixture, and everything is float64.
"""
import json
import math
import os
import sys
import torchfix.pin_cpu  # noqa: F401  (before torch: the same kernels on every machine)
import torch
import functorch
from functorch import grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian, vmap
from torch.nn.utils.stateless import functional_call

torch.set_default_dtype(torch.float64)


def vals(*shape, k=0.37, s=0.0):
    """A deterministic tensor: sin(0.37·i + s)·(1 + 0.1·i) laid out in shape."""
    n = math.prod(shape)
    i = torch.arange(n, dtype=torch.float64)
    return ((i * k + s).sin() * (1 + 0.1 * i)).reshape(shape)


def enc(t):
    if isinstance(t, torch.Tensor):
        t = t.detach()
        return {"shape": list(t.shape), "data": t.reshape(-1).tolist(), "dtype": str(t.dtype).replace("torch.", "")}
    if isinstance(t, (list, tuple)):
        return [enc(x) for x in t]
    if isinstance(t, dict):
        return {k: enc(v) for k, v in t.items()}
    return t


out = {"generator": "tools/gen-func-fixtures.py", "torch": torch.__version__, "functorch": functorch.__version__}

# --- grad, argnums, hasAux, grad_and_value, grad of grad ---
x = vals(4)
y = vals(4, s=1.0)
f1 = lambda x: (x.sin() * x).sum()
f2 = lambda x, y: (x * y.exp()).sum() + (x ** 2).sum() * y.sum()
f_aux = lambda x: ((x ** 3).sum(), x.cos())
g_aux, aux = grad(f_aux, has_aux=True)(x)
gv, v = grad_and_value(f2, argnums=1)(x, y)
s = torch.tensor(0.7)
f0 = lambda t: t.sin() * t ** 3
out["grad"] = {
    "x": enc(x), "y": enc(y),
    "f1": enc(grad(f1)(x)),
    "f2_01": enc(grad(f2, argnums=(0, 1))(x, y)),
    "aux": {"grad": enc(g_aux), "aux": enc(aux)},
    "gv": {"grad": enc(gv), "value": enc(v)},
    "s": enc(s),
    "gg": enc(grad(grad(f0))(s)),
    "ggg": enc(grad(grad(grad(f0)))(s)),
    "vmap_gg": enc(vmap(grad(grad(f0)))(x)),
    # a dict argument: the gradient is a dict
    "tree": enc(grad(lambda p, x: (p["w"] * x).tanh().sum() + p["b"] ** 2)({"w": y, "b": torch.tensor(0.5)}, x)),
}

# --- jacrev / jacfwd / hessian ---
W = vals(2, 3, s=0.5)
x3 = vals(3, s=2.0)
fj = lambda x: x.sin() * x.sum()
fw = lambda x, W: torch.tanh(W @ x)
A = vals(3, 3, s=0.2)
fh = lambda x: (x ** 3).sum() + x @ A @ x + x[0] * x[1].exp()
out["jac"] = {
    "x": enc(x3), "W": enc(W), "A": enc(A),
    "jacrev": enc(jacrev(fj)(x3)),
    "jacfwd": enc(jacfwd(fj)(x3)),
    "jacrev_01": enc(jacrev(fw, argnums=(0, 1))(x3, W)),
    "jacfwd_1": enc(jacfwd(fw, argnums=1)(x3, W)),
    "hessian": enc(hessian(fh)(x3)),
    "jacrev_jacrev": enc(jacrev(jacrev(fj))(x3)),
}

# --- vjp / jvp ---
fv = lambda x, y: (x * y, x.exp().sum())
o, vjp_fn = vjp(fv, x, y)
ct = (vals(4, s=3.0), torch.tensor(1.5))
fjv = lambda x: x.sin() * x
tan = vals(4, s=4.0)
jo, jt = jvp(fjv, (x,), (tan,))
jo2, jt2 = jvp(fv, (x, y), (tan, vals(4, s=5.0)))
out["vjp"] = {
    "out": enc(o), "ct": enc(ct), "grads": enc(vjp_fn(ct)),
    "tan": enc(tan), "tan2": enc(vals(4, s=5.0)),
    "jvp_out": enc(jo), "jvp_t": enc(jt), "jvp2_out": enc(jo2), "jvp2_t": enc(jt2),
}

# --- vmap ---
A4 = vals(4, 3)
B4 = vals(4, 3, s=1.5)
X35 = vals(3, 5, s=0.3)
w3 = vals(3, s=0.9)
X423 = vals(4, 2, 3, s=0.1)
a3 = vals(3, s=0.4)
b4 = vals(4, s=0.8)
D = {"a": vals(5, 2), "b": vals(3, 5, s=2.5)}
X34 = vals(3, 4, s=1.1)
out["vmap"] = {
    "A": enc(A4), "B": enc(B4), "X35": enc(X35), "w3": enc(w3), "X423": enc(X423),
    "a3": enc(a3), "b4": enc(b4), "D": enc(D), "X34": enc(X34),
    "dot": enc(vmap(torch.dot)(A4, B4)),
    "in1_none": enc(vmap(lambda x, w: x * w + x.sum(), in_dims=(1, None))(X35, w3)),
    "out1": enc(vmap(lambda x: x @ x.T, out_dims=1)(X423)),
    "nested": enc(vmap(vmap(lambda a, b: a * b + a.sin(), in_dims=(0, None)), in_dims=(None, 0))(a3, b4)),
    "tree": enc(vmap(lambda d: d["a"] * d["b"].sum(), in_dims=({"a": 0, "b": 1},))(D)),
    "neg": enc(vmap(lambda x: x.softmax(0), in_dims=-1, out_dims=-1)(X34)),
    "multi": enc(vmap(lambda x: (x.sum(), x.exp(), x.outer(x)), out_dims=(0, 1, 2))(X34)),
}
# a gradient through vmap
Xg = X34.clone().requires_grad_()
vmap(lambda x: (x.sin() * x.sum()).prod())(Xg).sum().backward()
out["vmap"]["grad_through"] = enc(Xg.grad)

# --- per-sample gradients of a small MLP through functional_call ---
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
params = {k: vals(*p.shape, s=0.3 * i) * 0.5 for i, (k, p) in enumerate(model.named_parameters())}
Xs = vals(5, 3, s=0.7)
Ys = torch.tensor([0, 1, 1, 0, 1])


def loss_fn(p, x, y):
    logits = functional_call(model, p, (x.unsqueeze(0),))
    return torch.nn.functional.cross_entropy(logits, y.unsqueeze(0))


out["per_sample"] = {
    "params": enc(params), "X": enc(Xs), "Y": Ys.tolist(),
    "out": enc(functional_call(model, params, (Xs,))),
    "grads": enc(vmap(grad(loss_fn), in_dims=(None, 0, 0))(params, Xs, Ys)),
    "loss_grads": enc(grad(lambda p: torch.nn.functional.cross_entropy(functional_call(model, p, (Xs,)), Ys))(params)),
}

# --- --out DIR writes there instead of fixtures/ (tools/check-fixtures-fresh.sh compares the two) ---
outdir = sys.argv[sys.argv.index("--out") + 1] if "--out" in sys.argv else os.path.join(os.path.dirname(__file__), "..", "fixtures")
path = os.path.join(outdir, "func.json")
with open(path, "w") as fh:
    json.dump(out, fh, indent=1)
    fh.write("\n")
print("wrote", path)
