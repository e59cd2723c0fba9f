"""Fuzz case family "func": torch.func-style transforms (functorch 1.13) against Tensile's `func`.

A case's call is {"fn": "func:", "tr": ..., "steps": [...], "outs": tree, "argnums": int | [ints],
"has_aux": bool, "aux": index, ...}: f(a, b) computes values v0 = a, v1 = b, then one value per step
(["sin", i], ["mul", i, j], ["sum", i], ... on earlier values, the same on both sides: STEP below and
func.mts), and returns `outs`, a pytree over value indices ({"t": i} a leaf, lists/tuples as JSON
arrays, dicts as {"d": {key: tree}}), plus (value aux) with has_aux. The transform `tr` is one of
jacrev, jacfwd, hessian (scalar output), vjp (cotangents c0, c1, … one per output leaf), jvp
(tangents ta, tb), grad (scalar output), "vmap" (vmap of call["inner"] — jacrev, jacfwd, grad or hessian —
with call["in_dims"] over a batch dim of a and/or b: per-sample derivatives), or "fcall" (functional_call of a small module with its
parameters and a buffer replaced, tied weights, then jacrev of the loss w.r.t. the parameters).
The torch side stores the result's tree structure in call["struct"]; outputs are the flattened leaves.
"""
from genlib import R, ch, make_input

UN = ["sin", "tanh", "sigmoid", "square", "softplus", "cos", "exp_t", "cumsum", "flip", "softmax", "log_softmax", "neg"]
BIN = ["mul", "add", "sub", "div_s", "atan2", "lerp"]
RED = ["sum", "mean", "logsumexp", "norm"]


def _steps(nv):
    steps, shapes = [], ["S", "S"]
    for _ in range(R.randint(1, 4)):
        k = R.random()
        s_idx = [i for i, s in enumerate(shapes) if s == "S"]
        if k < 0.45:
            steps.append([ch(UN), ch(s_idx)])
            shapes.append("S")
        elif k < 0.85:
            steps.append([ch(BIN), ch(s_idx), ch(s_idx)])
            shapes.append("S")
        else:
            steps.append([ch(RED), ch(s_idx)])
            shapes.append("0")
    return steps, shapes


def _tree(idxs, depth=0):
    k = R.random()
    if depth >= 2 or k < 0.4:
        return {"t": ch(idxs)}
    if k < 0.7:
        return [_tree(idxs, depth + 1) for _ in range(R.randint(1, 2))]
    return {"d": {ch(["u", "v", "w"]) + str(i): _tree(idxs, depth + 1) for i in range(R.randint(1, 2))}}


def _leaves(t):
    if isinstance(t, list):
        return [x for c in t for x in _leaves(c)]
    if "t" in t:
        return [t["t"]]
    return [x for c in t["d"].values() for x in _leaves(c)]


def gen_func():
    shape = ch([[3], [2, 3], [4]])
    ins = {}

    def inp(nm, shp):
        ins[nm] = make_input(list(shp), "float64", False, view=ch(["contig"] * 3 + ["t", "slice"]))

    tr = ch(["jacrev", "jacfwd", "hessian", "vjp", "jvp", "grad", "jacrev", "vjp", "fcall", "vmap"])
    call = {"fn": "func:", "tr": tr, "args": [], "kw": {}}
    if tr == "vmap":  # vmap(jacrev | jacfwd | grad | hessian) over a batch dim of a and/or b (per-sample derivatives)
        call["inner"] = ch(["jacrev", "jacfwd", "grad", "hessian"])
        call["in_dims"] = ch([[0, 0], [0, None], [None, 0], [1, 0], [0, -1]])
        bs = ch([1, 3])
        for nm, d in zip("ab", call["in_dims"]):
            sh = list(shape)
            if d is not None:
                sh.insert(d if d >= 0 else len(sh) + 1 + d, bs)
            inp(nm, sh)
    else:
        inp("a", shape)
        inp("b", shape)
    if tr == "fcall":
        inp("x", [2, 3])
        for nm, sh in (("w1", [4, 3]), ("b1", [4]), ("w2", [2, 4]), ("b2", [2]), ("rm", [4])):
            inp(nm, sh)  # the module's own tensors
            inp("r" + nm, sh)  # replacements
        call.update(give=R.sample(["0.weight", "0.bias", "2.weight", "2.bias", "rm"], R.randint(1, 5)))
        return {"family": "func", "inputs": ins, "call": call, "gnc": False}
    steps, shapes = _steps(2)
    nv = len(shapes)
    scalar = [i for i, s in enumerate(shapes) if s == "0"]
    inner = call.get("inner", tr)
    if inner in ("hessian", "grad"):
        if not scalar:
            steps.append([ch(RED), nv - 1])
            shapes.append("0")
            nv += 1
        outs = {"t": nv - 1 if shapes[-1] == "0" else ch([i for i, s in enumerate(shapes) if s == "0"])}
    else:
        outs = _tree(list(range(2, nv)) or [0]) if R.random() < 0.8 else {"t": nv - 1}
    argnums = ch([0, 1, [0], [0, 1], [1, 0], -1])
    if inner in ("jacfwd", "hessian") and argnums == -1:  # functorch 1.13's jacfwd (and hessian) return zeros for a negative argnums
        argnums = 1
    if inner in ("jacfwd", "hessian", "jvp"):  # functorch 1.13 has no forward-mode rule for softmax's backward
        for s in steps:
            s[0] = {"softmax": "sigmoid", "log_softmax": "tanh"}.get(s[0], s[0])
    call.update(steps=steps, outs=outs, argnums=argnums, has_aux=R.random() < 0.3, aux=R.randrange(nv))
    if tr == "vjp":
        for k, i in enumerate(_leaves(outs)):
            inp(f"c{k}", shape if shapes[i] == "S" else [])
    if tr == "jvp":
        inp("ta", shape)
        inp("tb", shape)
    return {"family": "func", "inputs": ins, "call": call, "gnc": False}


# ---------------------------------------------------------------- torch side (called by spec.py)
def _step(torch, F, s, v):
    op, i = s[0], s[1]
    x = v[i]
    y = v[s[2]] if len(s) > 2 else None
    return {
        "sin": lambda: x.sin(), "tanh": lambda: x.tanh(), "sigmoid": lambda: x.sigmoid(), "square": lambda: x * x,
        "softplus": lambda: F.softplus(x), "cos": lambda: x.cos(), "exp_t": lambda: x.tanh().exp(),
        "cumsum": lambda: x.cumsum(-1), "flip": lambda: x.flip(-1), "softmax": lambda: x.softmax(-1),
        "log_softmax": lambda: x.log_softmax(-1), "neg": lambda: -x,
        "mul": lambda: x * y, "add": lambda: x + y, "sub": lambda: x - y, "div_s": lambda: x / (1 + y * y),
        "atan2": lambda: torch.atan2(x, y + 3), "lerp": lambda: torch.lerp(x, y, 0.3),
        "sum": lambda: x.sum(), "mean": lambda: x.mean(), "logsumexp": lambda: x.reshape(-1).logsumexp(0),
        "norm": lambda: (x * x + 1).sum().sqrt(),
    }[op]()


def _build(t, v):
    if isinstance(t, list):
        return tuple(_build(c, v) for c in t) if len(t) % 2 else [_build(c, v) for c in t]
    if "t" in t:
        return v[t["t"]]
    return {k: _build(c, v) for k, c in t["d"].items()}


def struct(x):
    import torch
    if isinstance(x, torch.Tensor):
        return "T"
    if isinstance(x, (list, tuple)):
        return [struct(c) for c in x]
    if isinstance(x, dict):
        return {"d": {k: struct(c) for k, c in x.items()}}
    raise TypeError(f"unexpected {type(x)}")


def _flat(x):
    if isinstance(x, (list, tuple)):
        return [y for c in x for y in _flat(c)]
    if isinstance(x, dict):
        return [y for c in x.values() for y in _flat(c)]
    return [x]


def call_func(call, vals):
    import torch
    import torch.nn.functional as F
    import functorch as ft
    if call["tr"] == "fcall":
        return _fcall(call, vals, torch, ft)
    tr, has_aux = call["tr"], call["has_aux"]
    an = tuple(call["argnums"]) if isinstance(call["argnums"], list) else call["argnums"]

    def f(a, b):
        v = [a, b]
        for s in call["steps"]:
            v.append(_step(torch, F, s, v))
        out = _build(call["outs"], v)
        return (out, v[call["aux"]]) if has_aux else out

    a, b = vals["a"], vals["b"]
    if tr == "vmap":
        inner = call["inner"]
        kw = {} if inner == "hessian" else {"has_aux": has_aux}
        g = {"jacrev": ft.jacrev, "jacfwd": ft.jacfwd, "hessian": ft.hessian, "grad": ft.grad}[inner]
        fh = (lambda a, b: f(a, b)[0]) if (inner == "hessian" and has_aux) else f
        r = ft.vmap(g(fh, argnums=an, **kw), in_dims=tuple(call["in_dims"]))(a, b)
    elif tr in ("jacrev", "jacfwd", "hessian", "grad"):
        kw = {} if tr == "hessian" else {"has_aux": has_aux}
        g = {"jacrev": ft.jacrev, "jacfwd": ft.jacfwd, "hessian": ft.hessian, "grad": ft.grad}[tr]
        fh = (lambda a, b: f(a, b)[0]) if (tr == "hessian" and has_aux) else f
        r = g(fh, argnums=an, **kw)(a, b)
    elif tr == "vjp":
        res = ft.vjp(f, a, b, has_aux=has_aux)
        out, fn = res[0], res[1]
        leaves = _flat(out)
        cts = [vals[f"c{k}"] for k in range(len(leaves))]
        it = iter(cts)
        cot = _rebuild(out, it)
        r = [out, list(fn(cot))] + ([res[2]] if has_aux else [])
    else:  # jvp
        r = ft.jvp(f, (a, b), (vals["ta"], vals["tb"]), has_aux=has_aux)
        r = list(r)
    call["struct"] = struct(r)
    return [t.detach() for t in _flat(r)]


def _rebuild(x, it):
    if isinstance(x, tuple):
        return tuple(_rebuild(c, it) for c in x)
    if isinstance(x, list):
        return [_rebuild(c, it) for c in x]
    if isinstance(x, dict):
        return {k: _rebuild(c, it) for k, c in x.items()}
    return next(it)


FC_NAMES = {"0.weight": "w1", "0.bias": "b1", "2.weight": "w2", "2.bias": "b2", "rm": "rm"}


def _fcall(call, vals, torch, ft):
    """functional_call of Linear(3,4) → +buffer rm → Tanh → Linear(4,2) with `give` replaced; grad of
    tanh(out).sum() w.r.t. the replaced parameters; the module's own tensors afterwards (untouched)."""
    from torch.nn.utils.stateless import functional_call
    m = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)).double()
    m.register_buffer("rm", vals["rm"].clone())
    with torch.no_grad():
        for k, nm in FC_NAMES.items():
            if k != "rm":
                m.get_parameter(k).copy_(vals[nm])
    m.forward = lambda x: m[2](m[1](m[0](x) + m.rm))  # the buffer is used
    given = {k: vals["r" + FC_NAMES[k]] for k in call["give"]}
    x = vals["x"]
    out = functional_call(m, given, (x,))
    keys = [k for k in call["give"] if k != "rm"]

    def loss(ps):
        return functional_call(m, {**given, **ps}, (x,)).tanh().sum()
    g = ft.grad(loss)({k: given[k] for k in keys}) if keys else {}
    own = [m.get_parameter(k).detach() for k in FC_NAMES if k != "rm"] + [m.rm]
    r = [out, g, own]
    call["struct"] = struct(r)
    return [t.detach() for t in _flat(r)]
