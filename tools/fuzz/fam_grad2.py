"""Fuzz case family "grad2": second-order gradients (double backward) of random compositions of 1-3
differentiable ops on float64 inputs, against PyTorch 1.13.

A case's call is {"fn": "grad2:", "steps": [...], "wrt": [names], "v": name, "u": {wrt name: input}}:
each step is a call in spec.py's format whose {"$t": "h"} is the value so far (x at the start), with
"pick" choosing one output of a multi-output op (sort, topk, qr), or a composite "g2:pos" (h² + ½),
"g2:cond" (h/4 + 3I: well conditioned), "g2:spd" (h hᵀ/4 + I) written by hand on both sides. Then
  y = f(x);  g = grad(sum(y·v), wrt, create_graph);  z = Σ sum(g_i·u_i);  h2 = grad(z, wrt)
and the outputs compared are [y, *g, *h2] (a gradient that is None is zeros of its input's shape;
h2 is all zeros when z does not require grad). `wrt` is x and the steps' parameters (weights).
Why: users' gradient penalties (WGAN-GP), MAML and Hessians need backward rules that are themselves
differentiable; a rule built from raw kernels silently gives zero second derivatives.
"""
from genlib import R, T, ch, make_input, numel, ri

H = T("h")
DT = "float64"


class _G:
    """Inputs of the case being built: parameters (wrt) and constants."""

    def __init__(self):
        self.ins, self.wrt, self.n = {}, [], 0

    def param(self, shape, kind="normal", view=None):
        nm = f"p{self.n}"
        self.n += 1
        self.ins[nm] = make_input(list(shape), DT, False, view=view or ch(["contig"] * 3 + ["t", "slice", "expand"]), kind=kind)
        self.wrt.append(nm)
        return T(nm)

    def const(self, shape, dtype=DT, kind="normal", data=None):
        nm = f"c{self.n}"
        self.n += 1
        self.ins[nm] = make_input(list(shape), dtype, False, view="contig", kind=kind, data=data)
        return T(nm)


def st(fn, args, kw=None, pick=None):
    s = {"fn": fn, "args": args, "kw": kw or {}}
    if pick is not None:
        s["pick"] = pick
    return s


def _eltwise(g, s):
    k = ch(["relu", "gelu", "silu", "softplus", "elu", "sigmoid", "tanh", "abs", "exp", "sin", "pow_s", "pow_t", "div",
            "atan2", "where", "clamp", "mul", "log_softmax", "softmax", "square", "log", "sqrt", "reciprocal",
            "leaky_relu", "hardtanh", "maximum", "lerp", "addcmul"])
    nd = len(s)
    if k in ("log_softmax", "softmax") and nd == 0:
        k = "tanh"
    if k in ("relu", "silu", "sigmoid", "tanh"):
        return [st("F." + k if k in ("relu", "silu") else k, [H])]
    if k == "gelu":
        return [st("F.gelu", [H], {"approximate": ch(["none", "tanh"])})]
    if k == "softplus":
        return [st("F.softplus", [H, ch([1, 2, 0.5]), ch([20, 1])])]
    if k == "elu":
        return [st("F.elu", [H, ch([1.0, 0.5])])]
    if k == "leaky_relu":
        return [st("F.leaky_relu", [H, 0.1])]
    if k == "hardtanh":
        return [st("F.hardtanh", [H, -1.3, 0.9])]
    if k in ("abs", "exp", "sin", "square"):
        return [st("m." + k, [H])]
    if k in ("log", "sqrt", "reciprocal"):
        return [st("g2:pos", []), st("m." + k, [H])]
    if k == "pow_s":
        return [st("g2:pos", []), st("m.pow", [H, ch([2, 3, 0.5, -1.5, 2.5])])]
    if k == "pow_t":
        return [st("g2:pos", []), st("pow", [H, g.param(s[ri(0, nd):] if nd else [], "unit")])]
    if k == "div":
        return [st("div", [H, g.param(s, "pos")])] if R.random() < 0.5 else [st("g2:pos", []), st("div", [g.param(s), H])]
    if k == "atan2":
        return [st("atan2", [H, g.param(s)] if R.random() < 0.5 else [g.param(s), H])]
    if k == "where":
        return [st("where", [g.const(s, "bool"), H, g.param(s)])]
    if k == "clamp":
        return [st("clamp", [H, -0.53, 0.71])]
    if k == "mul":
        return [st("mul", [H, g.param(s[ri(0, nd):] if nd else [])])]
    if k == "maximum":
        return [st("maximum", [H, g.param(s)])]
    if k == "lerp":
        return [st("lerp", [H, g.param(s), g.param(s, "unit")])]
    if k == "addcmul":
        return [st("addcmul", [g.param(s), H, g.param(s)], {"value": 0.5})]
    d = ri(-nd, nd - 1)
    return [st("F." + k, [H, d])]


def _reduce(g, s):
    nd = len(s)
    if nd == 0:
        return None
    d = ri(-nd, nd - 1)
    k = ch(["sum", "mean", "prod", "amax", "logsumexp", "norm", "var", "std", "cumsum", "cumprod", "vector_norm"])
    if k in ("sum", "mean"):
        return [st(k, [H, d, R.random() < 0.3])]
    if k == "prod":
        return [st("prod", [H, d])]
    if k == "amax":
        return [st("amax", [H, [d]])]
    if k == "logsumexp":
        return [st("logsumexp", [H, d])]
    if k == "norm":
        return [st("norm", [H, ch([2, 3, 1.5]), d])]
    if k == "vector_norm":
        return [st("linalg.vector_norm", [H, ch([2, 3]), d])]
    if k in ("var", "std"):
        return [st(k, [H, d], {"correction": ch([0, 1])})] if s[d] > 1 else [st(k, [H, d], {"correction": 0})]
    return [st(k, [H, d])]


def _shape(g, s):
    nd = len(s)
    if nd == 0:
        return [st("m.reshape", [H, [1, 1]])]
    k = ch(["reshape", "permute", "expand", "cat", "stack", "gather", "narrow", "flip", "transpose", "index_select"])
    d = ri(-nd, nd - 1)
    if k == "reshape":
        return [st("m.reshape", [H, [-1]])]
    if k == "permute":
        p = list(range(nd))
        R.shuffle(p)
        return [st("m.permute", [H, p])]
    if k == "expand":
        return [st("m.unsqueeze", [H, 0]), st("m.expand", [H, [2] + list(s)])]
    if k == "cat":
        return [st("cat", [[H, g.param(s)], d])]
    if k == "stack":
        return [st("stack", [[H, g.param(s)], d])]
    if k == "gather":
        idx = list(s)
        idx[d] = ri(1, 3)
        return [st("gather", [H, d, g.const(idx, "index", data=[ri(0, s[d] - 1) for _ in range(numel(idx))])])]
    if k == "index_select":
        return [st("index_select", [H, d, g.const([ri(1, 4)], "index", data=None)])] if False else \
            [st("narrow", [H, d, 0, max(1, s[d] - 1)])]
    if k == "narrow":
        return [st("narrow", [H, d, ri(0, s[d] - 1), 1])]
    if k == "flip":
        return [st("flip", [H, [d]])]
    return [st("transpose", [H, 0, nd - 1])]


def _matmul(g, s):
    nd = len(s)
    if nd == 0:
        return None
    k = ch(["matmul", "linear", "einsum", "bmm"])
    m = s[-1]
    if k == "bmm" and nd == 3:
        return [st("bmm", [H, g.param([s[0], m, ri(1, 3)])])]
    if k == "linear":
        return [st("F.linear", [H, g.param([ri(1, 3), m])] + ([g.param([ri(1, 1)])] if False else []))] \
            if R.random() < 0.5 else [st("F.linear", [H, g.param([2, m]), g.param([2])])]
    if k == "einsum" and nd >= 1:
        return [st("einsum", ["...i,ij->...j", H, g.param([m, ri(1, 3)])])]
    return [st("matmul", [H, g.param([m, ri(1, 3)])] if R.random() < 0.7 or nd < 2 else [g.param([ri(1, 3), s[-2]]), H])]


def _spatial(g, s):
    """Ops that need [N, C, L] or [N, C, H, W] (conv, pooling, norms, interpolate)."""
    nd = len(s)
    if nd not in (3, 4):
        return None
    n, c = s[0], s[1]
    k = ch(["conv", "avg_pool", "max_pool", "layer_norm", "batch_norm", "group_norm", "interpolate"])
    if k == "conv":
        oc, kk = ri(1, 3), min(2, *s[2:])
        w = g.param([oc, c] + [kk] * (nd - 2))
        kw = {"padding": ch([0, 1])} if R.random() < 0.5 else {"stride": ch([1, 2])}
        args = [H, w, g.param([oc]) if R.random() < 0.5 else {"$null": True}]
        return [st("F.conv1d" if nd == 3 else "F.conv2d", args, kw)]
    if k == "avg_pool":
        return [st("F.avg_pool1d" if nd == 3 else "F.avg_pool2d", [H, min(2, *s[2:])], {"stride": 1})]
    if k == "max_pool":
        return [st("F.max_pool1d" if nd == 3 else "F.max_pool2d", [H, min(2, *s[2:])], {"stride": 1})]
    if k == "layer_norm":
        ns = list(s[-ri(1, 2):])
        return [st("F.layer_norm", [H, ns] + ([g.param(ns), g.param(ns)] if R.random() < 0.6 else []), {"eps": 1e-5})]
    if k == "batch_norm":
        if numel(s) // c < 2:
            return None
        # weight and bias contiguous: torch 1.13's batch_norm reads a strided weight wrongly (README)
        return [st("F.batch_norm", [H, {"$null": True}, {"$null": True}], {"weight": g.param([c], view="contig"),
                                                                          "bias": g.param([c], view="contig"),
                                                                          "training": True, "eps": 1e-5})]
    if k == "group_norm":
        gr = ch([x for x in (1, 2, 3) if c % x == 0])
        if numel(s) // (n * gr) < 2:
            return None
        return [st("F.group_norm", [H, gr] + ([g.param([c]), g.param([c])] if R.random() < 0.6 else []), {"eps": 1e-5})]
    if nd != 4:
        return None
    return [st("F.interpolate", [H], {"scale_factor": 2, "mode": "bilinear", "align_corners": R.random() < 0.5})]


def _loss(g, s):
    nd = len(s)
    if nd == 0:
        return None
    k = ch(["cross_entropy", "mse", "smooth_l1", "bce"])
    red = ch(["mean", "sum"])
    if k == "cross_entropy" and nd == 2:
        return [st("F.cross_entropy", [H, g.const([s[0]], "index", data=[ri(0, s[1] - 1) for _ in range(s[0])])],
                   {"reduction": red, "label_smoothing": ch([0.0, 0.1])})]
    if k == "smooth_l1":
        return [st("F.smooth_l1_loss", [H, g.param(s)], {"reduction": red, "beta": ch([1.0, 0.5])})]
    if k == "bce":
        t = g.const(s, kind="unit")
        return [st("F.binary_cross_entropy_with_logits", [H, t], {"reduction": red})]
    return [st("F.mse_loss", [H, g.param(s)], {"reduction": red})]


def _first(g):
    """The first step chooses x's shape: returns (x input spec, steps)."""
    k = ch(["elt", "elt", "red", "red", "mm", "spatial", "spatial", "shape", "loss", "sort", "linalg", "embedding", "pool1"])
    if k == "spatial":
        s = [ri(1, 3), ch([2, 3, 4]), ri(2, 4)] + ([ri(2, 4)] if R.random() < 0.6 else [])
    elif k == "loss":
        s = [ri(1, 4), ri(2, 4)]
    elif k == "linalg":
        n = ri(1, 4)
        b = ch([[], [], [2]])
        s = b + [n, n]
        kind = ch(["solve", "inv", "det", "cholesky", "qr", "slogdet"])
        steps = [st("g2:spd" if kind == "cholesky" else "g2:cond", [])]
        if kind == "solve":
            steps.append(st("linalg.solve", [H, g.param(b + [n, ri(1, 2)])]))
        elif kind == "qr":
            steps.append(st("linalg.qr", [H], pick=ri(0, 1)))
        elif kind == "slogdet":
            steps.append(st("linalg.slogdet", [H], pick=1))
        else:
            steps.append(st("linalg." + kind, [H]))
        return make_input(s, DT, False, view=ch(["contig", "contig", "t"]), kind="unit"), steps, s
    elif k == "sort":
        s = [ri(1, 3), ri(2, 5)]
        d = ri(-2, 1)
        if R.random() < 0.5:
            steps = [st("sort", [H, d, R.random() < 0.5], pick=0)]
        else:
            steps = [st("topk", [H, ri(1, s[d]), d], pick=0)]
        return make_input(s, DT, False, kind="distinct", view=ch(["contig", "t", "slice", "narrow"])), steps, s
    elif k == "pool1":
        s = [ri(1, 2), ri(1, 3), ri(2, 4), ri(2, 4)]
        return make_input(s, DT, False, kind="distinct", view=ch(["contig", "t", "slice", "narrow"])), [st("F.max_pool2d", [H, 2], {"stride": ch([1, 2])})], s
    elif k == "embedding":
        s = [ri(2, 5), ri(1, 3)]
        idx = g.const([ri(1, 4)], "index", data=[ri(0, s[0] - 1) for _ in range(3)])
        g.ins[idx["$t"]]["data"] = [ri(0, s[0] - 1) for _ in range(numel(g.ins[idx["$t"]]["shape"]))]
        return make_input(s, DT, False), [st("F.embedding", [idx, H])], s
    else:
        s = [ri(1, 4) for _ in range(ri(1, 3))]
    x = make_input(s, DT, False, kind="unit" if R.random() < 0.5 else "normal")
    return x, None, s


def _out_shape(steps, g):
    """The output shape after `steps`, run through torch on probe values (the generator has torch)."""
    import torch
    from spec import dec_arg
    x = torch.ones(_viewed_shape(g.ins["x"]), dtype=torch.float64) * 0.3
    return list(_run_steps(steps, x, g, torch, dec_arg, probe=True).shape)


def gen_grad2():
    g = _G()
    x, steps, s = _first(g)
    g.ins["x"] = x
    g.wrt.insert(0, "x")
    steps = steps or []
    pool = [_eltwise, _eltwise, _reduce, _matmul, _spatial, _shape, _loss]
    tries = 0
    if not steps:
        while not steps and tries < 20:
            tries += 1
            steps = ch(pool)(g, s) or []
    n_more = ri(0, 2)
    scalar_done = False
    for _ in range(n_more):
        try:
            s = _out_shape(steps, g)
        except Exception:  # noqa: BLE001 - a composition torch refuses: stop here
            break
        if not s:
            scalar_done = True
        nxt = None
        for _t in range(10):
            f = _eltwise if scalar_done else ch(pool)
            nxt = f(g, s)
            if nxt:
                break
        if not nxt:
            break
        steps = steps + nxt
    gsh = {}
    for nm in g.wrt:
        g.ins[nm]["grad"] = True
        spec = g.ins[nm]
        gsh[nm] = _viewed_shape(spec)
    try:
        ys = _out_shape(steps, g)
    except Exception:  # noqa: BLE001
        ys = []
    v = g.const(ys, kind="unit")
    us = {nm: g.const(gsh[nm], kind="unit")["$t"] for nm in g.wrt}
    c = {"family": "grad2", "inputs": g.ins,
         "call": {"fn": "grad2:", "steps": steps, "wrt": g.wrt, "v": v["$t"], "u": us, "args": [], "kw": {}}, "gnc": False}
    return c


def _viewed_shape(spec):
    import torch
    from spec import apply_views
    return list(apply_views(torch.zeros(spec["shape"]), spec.get("views", [])).shape)


# ---------------------------------------------------------------- torch side (called by spec.py)
def _run_steps(steps, h, vals, torch, dec_arg, probe=False):
    from spec import resolve
    if probe:  # vals is the _G being built: fill its inputs with probe values
        g = vals
        vals = {}
        for nm, spec in g.ins.items():
            dt = {"bool": torch.bool, "index": torch.int64}.get(spec["dtype"], torch.float64)
            base = torch.tensor([0.5 if dt == torch.float64 else (v if dt != torch.bool else bool(v)) for v in spec["data"]],
                                dtype=dt).reshape(spec["shape"])
            from spec import apply_views
            vals[nm] = apply_views(base, spec.get("views", []))
    for s in steps:
        fn = s["fn"]
        if fn == "g2:pos":
            h = h * h + 0.5
            continue
        if fn == "g2:cond":
            h = h / 4 + 3 * torch.eye(h.shape[-1], dtype=h.dtype)
            continue
        if fn == "g2:spd":
            h = h @ h.mT / 4 + torch.eye(h.shape[-1], dtype=h.dtype)
            continue
        vals = dict(vals, h=h)
        f, args = resolve(fn, dec_arg(s["args"], vals))
        r = f(*args, **dec_arg(s.get("kw", {}), vals))
        h = r[s["pick"]] if "pick" in s else r
    return h


def call_grad2(call, vals):
    """y, first-order gradients (create_graph) and the gradients of Σ g·u (see the module docstring)."""
    import torch
    from spec import dec_arg
    wrt = [vals[n] for n in call["wrt"]]  # views of leaves (spec.build_inputs: the inputs have "grad")
    y = _run_steps(call["steps"], vals["x"], vals, torch, dec_arg)
    L = (y * vals[call["v"]]).sum()
    gs = torch.autograd.grad(L, wrt, create_graph=True, allow_unused=True)
    gs = [torch.zeros_like(w) if gi is None else gi for gi, w in zip(gs, wrt)]
    z = sum((gi * vals[call["u"][n]]).sum() for gi, n in zip(gs, call["wrt"]))
    if isinstance(z, torch.Tensor) and z.requires_grad:
        h2 = torch.autograd.grad(z, wrt, allow_unused=True)
        h2 = [torch.zeros_like(w) if hi is None else hi for hi, w in zip(h2, wrt)]
    else:
        h2 = [torch.zeros_like(w) for w in wrt]
    # materialised: torch's zero gradients can be "efficient zero" tensors with no storage (abs's)
    real = lambda t: torch.zeros(t.shape, dtype=t.dtype).add_(t.detach())  # noqa: E731
    return [real(y)] + [real(t) for t in gs] + [real(t) for t in h2]


def repro_lines(call, js, py, camel):
    """The Tensile and torch snippets of a grad2 call for repro.py (js/py render arguments)."""
    tl, pl = ["let h = x;"], ["h = x"]
    for s in call["steps"]:
        fn = s["fn"]
        if fn == "g2:pos":
            tl.append("h = h.mul(h).add(0.5);")
            pl.append("h = h * h + 0.5")
            continue
        if fn in ("g2:cond", "g2:spd"):
            eye_t, eye_p = "eye(h.shape[h.ndim - 1], { dtype: h.dtype })", "torch.eye(h.shape[-1], dtype=h.dtype)"
            tl.append(f"h = h.div(4).add({eye_t}.mul(3));" if fn == "g2:cond" else f"h = h.matmul(h.mT).div(4).add({eye_t});")
            pl.append(f"h = h / 4 + 3 * {eye_p}" if fn == "g2:cond" else f"h = h @ h.mT / 4 + {eye_p}")
            continue
        ta = [js(a) for a in s["args"]] + ([js(s["kw"])] if s.get("kw") else [])
        pa = [py(a) for a in s["args"]] + [f"{k}={py(v)}" for k, v in s.get("kw", {}).items()]
        pick = f"[{s['pick']}]" if "pick" in s else ""
        if fn.startswith("m."):
            tl.append(f"h = {ta[0]}.{camel(fn[2:])}({', '.join(ta[1:])}){pick};")
            pl.append(f"h = {pa[0]}.{fn[2:]}({', '.join(pa[1:])}){pick}")
        else:
            tname = ("F." + camel(fn[2:])) if fn.startswith("F.") else ".".join(camel(p) for p in fn.split("."))
            tl.append(f"h = {tname}({', '.join(ta)}){pick};")
            pl.append(f"h = {'torch.nn.functional.' + fn[2:] if fn.startswith('F.') else 'torch.' + fn}({', '.join(pa)}){pick}")
    w = ", ".join(call["wrt"])
    us = " + ".join(f"g[{i}].mul({call['u'][n]}).sum()" for i, n in enumerate(call["wrt"]))
    tl += [f"const y = h; const g = grad(y.mul({call['v']}).sum(), [{w}], {{ createGraph: true, allowUnused: true }});",
           f"const h2 = grad({us.replace(' + ', '.add(') + ')' * (len(call['wrt']) - 1)}, [{w}], {{ allowUnused: true }});"]
    pus = " + ".join(f"(g[{i}] * {call['u'][n]}).sum()" for i, n in enumerate(call["wrt"]))
    pl += [f"y = h; g = torch.autograd.grad((y * {call['v']}).sum(), [{w}], create_graph=True, allow_unused=True)",
           f"h2 = torch.autograd.grad({pus}, [{w}], allow_unused=True)"]
    return "\n".join(tl), "\n".join(pl)
