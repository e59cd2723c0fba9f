"""Fuzz case family "dist": torch.distributions against Tensile's `distributions` (docs/distributions.md).

Each case builds one distribution (random parameters whose batch shapes broadcast, float32 or float64,
numbers or strided tensors, edge values: probabilities 0 and 1, logits of ±50…±1e4, concentrations near 0
and large, tiny and huge scales, small df) with validate_args on or off, and calls one method: log_prob at a
value inside the support, on its boundary or outside it, cdf, icdf, entropy, mean, mode, variance, stddev,
enumerate_support(expand); or kl_divergence of a registered pair. Gradients with respect to the parameters
and the value come from the generic harness (spec.py / replay.mts). rsample is not covered: Tensile's draws
come from its own generator, so no noise can be shared through the public API.

The call format (read by spec.run_case through dist_spec.call_dist, and by tools/fuzz/dist.mts):
  call: {fn: "dist:METHOD", d: DIST, args: [...], kw: {}}   METHOD a torch name (log_prob, mean, kl, ...)
  DIST: {cls, args, kw, v}  ->  D.cls(*args, **kw, validate_args=v) / new D.Cls(...args, {...kw, validateArgs: v})
        args/kw hold {"$t": input}, numbers, {"$d": DIST}, {"$tf": {name, args, kw, inv}} (a transform)
  "dist:kl" has a second distribution `q`.
"""
import struct

import torch.distributions as D

from genlib import R, T, ch, make_input, ri  # noqa: F401

# ---------------------------------------------------------------- parameter values

def _f(dt):
    return dt


def val(kind, dt):
    f64 = dt == "float64"
    r = R.random()
    if kind == "real":
        if r < 0.15:
            return ch([30.0, -30.0, 1e3, -1e3, 0.0])
        return ri(-48, 48) / 16
    if kind == "pos":  # scales and rates: tiny and huge
        if r < 0.2:
            return ch([1e-3, 1e-6 if f64 else 1e-4, 1e3, 1e6 if f64 else 1e4, 0.05])
        return ri(2, 48) / 16
    if kind == "conc":  # concentrations: near 0 and large
        if r < 0.25:
            return ch([1e-3, 0.01, 0.1, 0.5, 1.0, 100.0, 1e3])
        return ri(2, 64) / 16
    if kind == "df":
        if r < 0.3:
            return ch([0.1, 0.5, 1.0, 2.0, 2.5, 4.0, 100.0])
        return ri(8, 80) / 16
    if kind == "prob":
        if r < 0.25:
            return ch([0.0, 1.0, 1e-7, 1 - 1e-7 if f64 else 0.999])
        return ri(1, 15) / 16
    if kind == "probo":  # (0, 1]: Geometric
        if r < 0.2:
            return ch([1.0, 1e-4, 0.999])
        return ri(1, 16) / 16
    if kind == "probc":  # [0, 1): NegativeBinomial
        if r < 0.2:
            return ch([0.0, 1e-4, 0.999])
        return ri(0, 15) / 16
    if kind == "logit":
        if r < 0.25:
            return ch([50.0, -50.0, 100.0, -100.0, 1e4, -1e4, 0.0])
        return ri(-64, 64) / 16
    if kind == "rate0":  # Poisson's rate may be 0
        return 0.0 if r < 0.1 else val("pos", dt)
    if kind == "temp":
        return ch([0.1, 0.5, 1.0, 2.0, 1e-2, 10.0])
    if kind == "count":
        return float(ri(0, 8))
    if kind == "count1":
        return float(ri(1, 8))
    raise ValueError(kind)


BAD = {"pos": [-1.0, 0.0, "nan"], "conc": [-0.5, 0.0, "nan"], "df": [-1.0, 0.0, "nan"], "prob": [1.5, -0.25, "nan"],
       "probo": [0.0, 1.5, "nan"], "probc": [1.0, -0.5, "nan"], "real": ["nan"], "logit": ["nan"], "temp": [-1.0, 0.0],
       "count": [-1.0, 2.5], "count1": [-1.0, 0.0]}


def pinput(shape, dt, kind, grad=True, view=None):
    inp = make_input(shape, dt, grad and dt.startswith("float"), view=view)
    inp["data"] = [val(kind, dt) for _ in inp["data"]]
    if inp["data"] and R.random() < 0.06:  # one value outside the parameter's constraint
        inp["data"][ri(0, len(inp["data"]) - 1)] = ch(BAD.get(kind, ["nan"]))
    if R.random() < 0.06:  # the other float dtype (torch promotes)
        inp["dtype"] = "float64" if dt == "float32" else "float32"
    return inp


def bcast_shapes(k, allow_empty=True):
    """k parameter shapes that broadcast together (trailing dims, size-1 dims), and the batch shape."""
    nd = ri(0, 2)
    full = [0 if (allow_empty and R.random() < 0.04) else ri(1, 3) for _ in range(nd)]
    shapes = []
    for _ in range(k):
        s = [1 if R.random() < 0.3 else d for d in full]
        if R.random() < 0.3:
            s = s[ri(0, len(s)):]
        shapes.append(s)
    batch = []
    for i in range(1, nd + 1):
        batch.insert(0, max([s[-i] if len(s) >= i else 1 for s in shapes]))
    return shapes, batch


# ---------------------------------------------------------------- the families' tables

# cls: (parameter kinds, support of the value, methods)
SIMPLE = {
    "Normal": (["real", "pos"], "real", "cdf icdf entropy mean mode variance stddev"),
    "LogNormal": (["real", "pos"], "pos", "cdf icdf entropy mean mode variance stddev"),
    "Laplace": (["real", "pos"], "real", "cdf icdf entropy mean mode variance stddev"),
    "Cauchy": (["real", "pos"], "real", "cdf icdf entropy mean mode variance"),
    "Gumbel": (["real", "pos"], "real", "cdf icdf entropy mean mode variance stddev"),
    "HalfNormal": (["pos"], "nonneg", "cdf icdf entropy mean mode variance stddev"),
    "HalfCauchy": (["pos"], "nonneg", "cdf icdf entropy mean mode variance"),
    "Exponential": (["pos"], "nonneg", "cdf icdf entropy mean mode variance stddev"),
    "Gamma": (["conc", "pos"], "pos", "entropy mean mode variance stddev"),
    "Chi2": (["df"], "pos", "entropy mean mode variance stddev"),
    "Beta": (["conc", "conc"], "unit", "entropy mean mode variance stddev"),
    "StudentT": (["df", "real", "pos"], "real", "entropy mean mode variance stddev"),
    "Weibull": (["pos", "conc"], "pos", "cdf icdf entropy mean mode variance stddev"),
    "Pareto": (["pos", "conc"], "pareto", "cdf icdf entropy mean mode variance stddev"),
    "Kumaraswamy": (["conc", "conc"], "unit", "entropy mean variance stddev"),
    "VonMises": (["real", "conc"], "real", "mean mode variance"),
    "FisherSnedecor": (["df", "df"], "pos", "mean mode variance stddev"),
    "Poisson": (["rate0"], "count", "mean mode variance stddev"),
}
PL = {  # probs-or-logits classes: (prob kind, value support, methods, extra positional)
    "Bernoulli": ("prob", "binary", "entropy mean mode variance stddev enumerate_support", None),
    "Geometric": ("probo", "count", "entropy mean mode variance stddev", None),
    "ContinuousBernoulli": ("prob", "unit", "cdf icdf entropy mean variance stddev", None),
    "Binomial": ("prob", "binom", "entropy mean mode variance stddev enumerate_support", "count"),
    "NegativeBinomial": ("probc", "count", "mean mode variance stddev", "count1"),
    "RelaxedBernoulli": ("prob", "unit", "", "temp"),
}


def value_data(sup, dt, where, ctx):
    """One value inside the support (where "in"), on its boundary ("edge") or outside ("out")."""
    if where == "in":
        if sup == "real":
            return val("real", dt)
        if sup in ("pos", "nonneg"):
            return ch([ri(1, 64) / 16, 1e-3, 30.0])
        if sup == "unit":
            return ri(1, 15) / 16
        if sup == "count":
            return float(ri(0, 9))
        if sup == "binary":
            return float(ri(0, 1))
        if sup == "binom":
            return float(ri(0, ctx.get("n", 1)))
        if sup == "pareto":
            return ctx.get("scale", 0) + ch([ri(1, 48) / 16, 0.0])
    if where == "edge":
        return {"real": ch([1e4, -1e4]), "pos": 0.0, "nonneg": 0.0, "unit": ch([0.0, 1.0]), "count": 0.0,
                "binary": ch([0.0, 1.0]), "binom": ch([0.0, float(ctx.get("n", 1))]), "pareto": ctx.get("scale", 0)}[sup]
    return {"real": ch(["nan", "inf", "-inf"]), "pos": -ri(1, 16) / 16, "nonneg": -ri(1, 16) / 16,
            "unit": ch([-0.25, 1.5]), "count": ch([-1.0, 1.5]), "binary": ch([0.5, 2.0, -1.0]),
            "binom": ch([-1.0, float(ctx.get("n", 1)) + 1, 0.5]), "pareto": ctx.get("scale", 0) - 0.5}[sup]


def value_input(shape, dt, sup, ctx, grad):
    where = ch(["in", "in", "in", "edge", "out"])
    inp = make_input(shape, dt, grad and sup not in ("count", "binary", "binom"))
    inp["data"] = [value_data(sup, dt, where if R.random() < 0.7 else "in", ctx) for _ in inp["data"]]
    return inp, where


def dspec(cls, args, kw=None, v=False):
    return {"cls": cls, "args": args, "kw": kw or {}, "v": v}


def _simple(cls, dt, ins, pre=""):
    kinds, sup, methods = SIMPLE[cls]
    shapes, batch = bcast_shapes(len(kinds))
    args, ctx = [], {}
    for j, (k, s) in enumerate(zip(kinds, shapes)):
        if R.random() < 0.15:  # a Python number
            x = val(k, dt)
            args.append(x)
        else:
            nm = f"{pre}p{j}"
            ins[nm] = pinput(s, dt, k)
            args.append(T(nm))
    if cls == "Pareto":  # a number scale keeps the value generator simple
        if not isinstance(args[0], float):
            del ins[args[0]["$t"]]
        args[0] = ch([0.5, 1.0, 2.0])
        ctx["scale"] = args[0]
    return args, batch, sup, methods.split(), ctx


def _pl(cls, dt, ins, pre=""):
    pk, sup, methods, extra = PL[cls]
    shapes, batch = bcast_shapes(2 if extra else 1)
    args, ctx = [], {}
    if extra:
        if cls == "Binomial":
            n = ri(0, 6)
            ctx["n"] = n
            if R.random() < 0.5:
                args.append(n)
            else:  # a tensor total_count: one value (entropy/enumerate_support want it constant)
                ins[pre + "n"] = {"shape": shapes[1], "dtype": dt, "data": [float(n)] * _numel(shapes[1]), "views": [], "grad": False}
                if R.random() < 0.3:  # counts that differ per element (entropy and enumerate_support refuse them)
                    ins[pre + "n"]["data"] = [float(ri(n, n + 3)) for _ in ins[pre + "n"]["data"]]
                args.append(T(pre + "n"))
        else:
            # torch's RelaxedBernoulli batch shape ignores the temperature's: keep it 0-d
            ins[pre + "n"] = pinput([] if extra == "temp" else shapes[1], dt, extra, grad=cls != "NegativeBinomial" or R.random() < 0.5)
            args.append(T(pre + "n"))
    logits = R.random() < 0.4 and cls != "ContinuousBernoulli" or (cls == "ContinuousBernoulli" and R.random() < 0.3)
    ins[pre + "q"] = pinput(shapes[0], dt, "logit" if logits else pk)
    kw = {"logits" if logits else "probs": T(pre + "q")}
    return args, kw, batch, sup, methods.split(), ctx


def _numel(s):
    n = 1
    for d in s:
        n *= d
    return n


def _spd(n, dt, scale=1.0):
    """A random symmetric positive-definite n×n matrix, row-major data (A Aᵀ + δI)."""
    A = [[ri(-8, 8) / 8 for _ in range(n)] for _ in range(n)]
    d = ch([0.5, 1.0, 1e-3 if dt == "float64" else 0.05])
    return [scale * (sum(A[i][k] * A[j][k] for k in range(n)) + (d if i == j else 0)) for i in range(n) for j in range(n)]


def _spd_input(batch, n, dt, grad=False):
    data = []
    for _ in range(_numel(batch)):
        data += _spd(n, dt)
    return {"shape": list(batch) + [n, n], "dtype": dt, "data": data, "views": [], "grad": grad}


def _tril_input(batch, n, dt, grad=True):
    data = []
    for _ in range(_numel(batch)):
        for i in range(n):
            for j in range(n):
                data.append(ch([0.5, 1.0, 2.0, 0.1]) if i == j else (ri(-16, 16) / 16 if j < i else 0.0))
    return {"shape": list(batch) + [n, n], "dtype": dt, "data": data, "views": [], "grad": grad}


def _corr_chol(n, dt):
    """Row-major data of an n×n correlation Cholesky factor (rows of unit length)."""
    import math
    rows = []
    for i in range(n):
        r = [ri(-8, 8) / 8 for _ in range(i)] + [1.0]
        nr = math.sqrt(sum(x * x for x in r))
        rows.append([x / nr for x in r] + [0.0] * (n - 1 - i))
    return [x for r in rows for x in r]


def _value(ins, shape, dt, sup, ctx, grad=True, name="x"):
    ins[name], where = value_input(shape, dt, sup, ctx, grad)
    return where


def _event_value(ins, dt, batch, kind, K, ctx):
    """A value of a distribution with an event dim (Categorical index, one-hot, simplex, counts)."""
    vb = batch[ri(0, len(batch)):] if R.random() < 0.3 else list(batch)
    if R.random() < 0.2:
        vb = [2] + vb  # a sample dim
    where = ch(["in", "in", "in", "out"])
    n = _numel(vb)
    if kind == "index":
        data = [ri(0, K - 1) if where == "in" else ch([-1, K]) for _ in range(n)]
        ins["x"] = {"shape": vb, "dtype": "index", "data": data, "views": [], "grad": False}
        return where
    rows = []
    for _ in range(n):
        if kind == "onehot":
            r = [0.0] * K
            r[ri(0, K - 1)] = 1.0
            if where == "out":
                r[ri(0, K - 1)] = ch([2.0, 0.5, 1.0])
        elif kind == "simplex":
            w = [ri(1, 8) + 0.0 for _ in range(K)]
            if R.random() < 0.15 and K > 1:
                w[ri(0, K - 1)] = 0.0
            r = [x / sum(w) for x in w]
            if where == "out":
                r[0] += 0.25
        else:  # counts summing to n
            tot = ctx["n"]
            r = [0.0] * K
            for _ in range(tot):
                r[ri(0, K - 1)] += 1
            if where == "out":
                r[0] += ch([1.0, 0.5])
        rows += r
    ins["x"] = {"shape": vb + [K], "dtype": dt, "data": rows, "views": [], "grad": kind == "simplex"}
    return where


TF_SUP = {"Exp": "pos", "Sigmoid": "unit", "Tanh": "unit", "Affine": "real", "Exp+Affine": "pos", "Affine+Exp": "pos",
          "Sigmoid.inv": "real", "Power": "pos", "Softplus": "pos"}


def make_dist(dt, ins, v, pre="", kinds=None):
    """A random distribution spec; returns (spec, batch, event shape, value support or kind, methods, ctx)."""
    kind = ch(kinds) if kinds else ch(["simple"] * 8 + ["pl"] * 4 + ["Uniform", "cat", "cat", "onehot", "multinomial",
                                       "dirichlet", "mvn", "mvn", "lowrank", "wishart", "lkj", "indep", "indep",
                                       "transformed", "transformed", "mixture", "logisticnormal"])
    if kind == "simple":
        cls = ch(list(SIMPLE))
        args, batch, sup, methods, ctx = _simple(cls, dt, ins, pre)
        return dspec(cls, args, v=v), batch, [], sup, methods, ctx
    if kind == "pl":
        cls = ch(list(PL))
        args, kw, batch, sup, methods, ctx = _pl(cls, dt, ins, pre)
        return dspec(cls, args, kw, v), batch, [], sup, methods, ctx
    if kind == "Uniform":
        shape = ch([[], [3], [2, 2]])
        lo = pinput(shape, dt, "real", view="contig")
        hi = dict(lo)
        hi["data"] = [x + val("pos", dt) if R.random() < 0.9 and not isinstance(x, str) else x for x in lo["data"]]
        ins[pre + "lo"], ins[pre + "hi"] = lo, hi
        ctx = {"lo": lo["data"][0] if lo["data"] else 0}
        return dspec("Uniform", [T(pre + "lo"), T(pre + "hi")], v=v), shape, [], "uniform", \
            "cdf icdf entropy mean mode variance stddev".split(), ctx
    if kind in ("cat", "onehot", "multinomial", "dirichlet"):
        batch, K = [ri(1, 3) for _ in range(ri(0, 2))], ri(1, 4)
        nm = pre + "q"
        if kind == "dirichlet":
            ins[nm] = pinput(batch + [K], dt, "conc", view="contig")
            return dspec("Dirichlet", [T(nm)], v=v), batch, [K], "simplex", "entropy mean mode variance stddev".split(), {"K": K}
        logits = R.random() < 0.4
        ins[nm] = pinput(batch + [K], dt, "logit" if logits else "prob")
        if not logits and all(x == 0 for x in ins[nm]["data"][:K]):
            ins[nm]["data"][0] = 0.5
        kw = {"logits" if logits else "probs": T(nm)}
        if kind == "cat":
            return dspec("Categorical", [], kw, v), batch, [], ("index", K), "entropy mode enumerate_support".split(), {"K": K}
        if kind == "onehot":
            return dspec("OneHotCategorical", [], kw, v), batch, [K], ("onehot", K), \
                "entropy mean mode variance enumerate_support".split(), {"K": K}
        n = ri(0, 5)
        return dspec("Multinomial", [n], kw, v), batch, [K], ("counts", K), "entropy mean variance".split(), {"K": K, "n": n}
    if kind == "mvn":
        n, b1, b2 = ri(1, 3), ch([[], [2], [1]]), ch([[], [2]])
        ins[pre + "loc"] = pinput(b1 + [n], dt, "real")
        form = ch(["covariance_matrix", "precision_matrix", "scale_tril"])
        ins[pre + "m"] = _tril_input(b2, n, dt) if form == "scale_tril" else _spd_input(b2, n, dt, grad=form == "covariance_matrix")
        batch = b1 if len(b1) >= len(b2) else b2
        batch = [max(a, b) for a, b in zip(batch, b2 if len(b2) == len(batch) else batch)]
        return dspec("MultivariateNormal", [T(pre + "loc")], {form: T(pre + "m")}, v), batch, [n], "vec", \
            "entropy mean mode variance stddev".split(), {"n": n}
    if kind == "lowrank":
        n, m, b = ri(1, 3), ri(1, 2), ch([[], [2]])
        ins[pre + "loc"] = pinput(b + [n], dt, "real")
        ins[pre + "W"] = pinput([n, m], dt, "real", view="contig")
        ins[pre + "W"]["data"] = [ri(-16, 16) / 16 for _ in ins[pre + "W"]["data"]]
        ins[pre + "Dg"] = pinput(ch([[n], b + [n]]), dt, "pos")
        return dspec("LowRankMultivariateNormal", [T(pre + "loc"), T(pre + "W"), T(pre + "Dg")], v=v), b, [n], "vec", \
            "entropy mean mode variance stddev".split(), {"n": n}
    if kind == "wishart":
        n, b = ri(1, 3), ch([[], [2]])
        df = ch([n - 1 + 0.5, n + 0.0, n + 2.5, 10.0])
        form = ch(["covariance_matrix", "precision_matrix", "scale_tril"])
        ins[pre + "m"] = _tril_input(b, n, dt) if form == "scale_tril" else _spd_input(b, n, dt, grad=form == "covariance_matrix")
        dfa = df if R.random() < 0.6 else T(pre + "df")
        if not isinstance(dfa, float):
            ins[pre + "df"] = {"shape": b, "dtype": dt, "data": [df] * _numel(b), "views": [], "grad": True}
        return dspec("Wishart", [dfa], {form: T(pre + "m")}, v), b, [n, n], "spd", "entropy mean mode variance".split(), {"n": n}
    if kind == "logisticnormal":  # Normal over K-vectors pushed onto the simplex of K + 1 (StickBreakingTransform)
        batch, K = [ri(1, 3) for _ in range(ri(0, 1))], ri(1, 3)
        ins[pre + "ll"] = pinput(batch + [K], dt, "real")
        ins[pre + "ls"] = pinput(ch([[K], batch + [K]]), dt, "pos")
        return dspec("LogisticNormal", [T(pre + "ll"), T(pre + "ls")], v=v), batch, [K + 1], "simplex", [], {"K": K + 1}
    if kind == "lkj":
        n, b = ri(2, 4), ch([[], [2]])
        ins[pre + "c"] = pinput(b, dt, "conc")
        return dspec("LKJCholesky", [n, T(pre + "c")], v=v), b, [n, n], "corr", [], {"n": n}
    if kind == "indep":
        base = ch(["Normal", "Laplace", "Gamma", "Beta", "Exponential", "Bernoulli", "Poisson"])
        if base in SIMPLE:
            args, batch, sup, methods, ctx = _simple(base, dt, ins, pre)
            bs = dspec(base, args, v=v)
        else:
            args, kw, batch, sup, methods, ctx = _pl(base, dt, ins, pre)
            bs = dspec(base, args, kw, v)
        k = ri(0, len(batch))
        return dspec("Independent", [{"$d": bs}, k], v=v), batch[:len(batch) - k], batch[len(batch) - k:], sup, \
            [m for m in methods if m in ("entropy", "mean", "mode", "variance", "stddev", "enumerate_support")], ctx
    if kind == "transformed":
        base = ch(["Normal", "Normal", "Laplace", "Gumbel"])
        args, batch, _, _, ctx = _simple(base, dt, ins, pre)
        tk = ch(list(TF_SUP))
        tfs = []
        for part in tk.split("+"):
            nm, inv = (part[:-4], True) if part.endswith(".inv") else (part, False)
            if nm == "Affine":
                ins[pre + "tl"] = pinput(ch([[], batch[-1:]]), dt, "real")
                tfs.append({"$tf": {"name": "Affine", "args": [T(pre + "tl"), ch([2.0, 0.5, -1.5]) if tk == "Affine" else 0.5]}})
            elif nm == "Power":
                tfs.insert(0, {"$tf": {"name": "Exp"}})
                tfs.append({"$tf": {"name": "Power", "args": [ch([2.0, 0.5, -1.0])]}})
            else:
                tfs.append({"$tf": {"name": nm, "inv": inv}})
        sup = TF_SUP[tk]
        if tk == "Sigmoid.inv":  # the base must live on (0, 1)
            ins[pre + "u0"] = pinput([], dt, "real", grad=False, view="contig")
            ins[pre + "u0"]["data"] = [0.0]
            return dspec("TransformedDistribution", [{"$d": dspec("Uniform", [T(pre + "u0"), 1.0], v=v)}, tfs], v=v), [], [], \
                "real", ["cdf", "icdf"], {}
        return dspec("TransformedDistribution", [{"$d": dspec(base, args, v=v)}, tfs], v=v), batch, [], sup, \
            ["cdf", "icdf"], ctx
    # mixture of Normals (or an Independent Normal) over K components
    batch, K = [ri(1, 3) for _ in range(ri(0, 1))], ri(1, 3)
    ins[pre + "mx"] = pinput(batch + [K], dt, "logit")
    ev = R.random() < 0.3
    sh = batch + [K] + ([2] if ev else [])
    ins[pre + "ml"] = pinput(sh, dt, "real")
    ins[pre + "ms"] = pinput(sh, dt, "pos")
    comp = dspec("Normal", [T(pre + "ml"), T(pre + "ms")], v=v)
    if ev:
        comp = dspec("Independent", [{"$d": comp}, 1], v=v)
    return dspec("MixtureSameFamily", [{"$d": dspec("Categorical", [], {"logits": T(pre + "mx")}, v)}, {"$d": comp}], v=v), \
        batch, [2] if ev else [], "real", (["mean", "variance"] + ([] if ev else ["cdf"])), ctx_none()


def ctx_none():
    return {}


KL_SIMPLE = [(p.__name__, q.__name__) for (p, q) in D.kl._KL_REGISTRY
             if p.__name__ in list(SIMPLE) + list(PL) + ["Uniform"] and q.__name__ in list(SIMPLE) + list(PL) + ["Uniform"]]


def _kl_dist(cls, dt, ins, v, pre):
    if cls in SIMPLE:
        return dspec(cls, _simple(cls, dt, ins, pre)[0], v=v)
    if cls in PL:
        args, kw, *_ = _pl(cls, dt, ins, pre)
        return dspec(cls, args, kw, v)
    return make_dist(dt, ins, v, pre, ["Uniform"])[0]


def _matrix_value(ins, dt, batch, sup, n, where):
    vb = list(batch) if R.random() < 0.7 else []
    data = []
    for _ in range(_numel(vb)):
        if sup == "spd":
            m = _spd(n, dt)
            if where == "out":
                m[n - 1] = m[n - 1] + 1.0 if n > 1 else -1.0
        else:
            m = _corr_chol(n, dt)
            if where == "out":
                m[0] = 0.5
        data += m
    ins["x"] = {"shape": vb + [n, n], "dtype": dt, "data": data, "views": [], "grad": sup == "spd"}


def gen_dist():
    dt = ch(["float32", "float64"])
    v = R.random() < 0.35
    ins = {}
    r = R.random()
    if r < 0.12 and KL_SIMPLE:
        p, q = ch(KL_SIMPLE)
        P = _kl_dist(p, dt, ins, v, "a")
        Q = _kl_dist(q, dt, ins, v, "b")
        c = _case(ins, {"fn": "dist:kl", "d": P, "q": Q, "args": [], "kw": {}})
        return c
    if r < 0.2:  # structured pairs: same event shape (else both sides refuse)
        pk, qk = ch([("cat", "cat"), ("onehot", "onehot"), ("dirichlet", "dirichlet"), ("mvn", "mvn"), ("lowrank", "lowrank"),
                     ("mvn", "lowrank"), ("lowrank", "mvn"), ("transformed", "transformed"), ("indep", "indep"),
                     ("wishart", "wishart"), ("multinomial", "multinomial")])
        P, _, pev, *_ = make_dist(dt, ins, v, "a", [pk])
        for _ in range(30):
            qins = {}
            Q, _, qev, *_ = make_dist(dt, qins, v, "b", [qk])
            if qev == pev and (R.random() < 0.2 or _same_tf(P, Q)):
                break
        ins.update(qins)
        return _case(ins, {"fn": "dist:kl", "d": P, "q": Q, "args": [], "kw": {}})
    if r < 0.3:
        return _gen_rsample(dt, ins, v)
    spec, batch, event, sup, methods, ctx = make_dist(dt, ins, v)
    ms = ["log_prob"] * 3 + methods
    m = ch(ms)
    args = []
    if m in ("log_prob", "cdf", "icdf"):
        vshape = list(batch)
        if R.random() < 0.3 and vshape:
            vshape = vshape[ri(0, len(vshape)):]
        if R.random() < 0.15:
            vshape = [2] + vshape
        if m == "icdf":
            ins["x"] = pinput(vshape, dt, "prob")
            if R.random() < 0.15:
                ins["x"]["data"][0] = ch([-0.5, 1.5, "nan"])
            args = [T("x")]
        elif isinstance(sup, tuple):
            _event_value(ins, dt, batch, sup[0], sup[1], ctx)
            args = [T("x")]
        elif sup == "simplex":
            _event_value(ins, dt, batch, "simplex", ctx["K"], ctx)
            args = [T("x")]
        elif sup == "vec":
            ins["x"] = pinput(vshape + [ctx["n"]], dt, "real")
            args = [T("x")]
        elif sup in ("spd", "corr"):
            _matrix_value(ins, dt, batch, sup, ctx["n"], ch(["in", "in", "out"]))
            args = [T("x")]
        elif sup == "uniform":
            ins["x"] = pinput(vshape, dt, "real")
            args = [T("x")]
        else:
            _value(ins, vshape + list(event), dt, sup, ctx)
            args = [T("x")]
    elif m == "enumerate_support":
        args = [ch([True, False])]
    if "x" in ins and sup in ("count", "binary", "binom") and R.random() < 0.3:  # integer values
        ins["x"] = {"shape": ins["x"]["shape"], "dtype": "index", "grad": False, "views": ins["x"]["views"],
                    "data": [int(v) if isinstance(v, float) and v == int(v) else 0 for v in ins["x"]["data"]]}
    call = {"fn": "dist:" + m, "d": spec, "args": args, "kw": {}}
    if R.random() < 0.15 and m != "enumerate_support":  # d.expand(new batch shape): new leading dims, size-1 dims broadcast
        call["expand"] = [ri(1, 2)] + [ri(2, 3) if b == 1 else b for b in batch]
    return _case(ins, call)


def _f32(x):
    return x if isinstance(x, str) else struct.unpack("f", struct.pack("f", x))[0]


def _case(ins, call):
    for s in ins.values():  # float32 inputs hold float32 values (an unchanged input reads back equal)
        if s["dtype"] == "float32":
            s["data"] = [_f32(x) for x in s["data"]]
    return {"family": "dist", "inputs": ins, "call": call, "gnc": R.random() < 0.3}


def _same_tf(P, Q):
    """Transformed / Independent pairs: the same transforms (or base class and ndims), else no KL."""
    if P["cls"] == "TransformedDistribution":
        strip = lambda d: [t["$tf"]["name"] + str(t["$tf"].get("inv")) + str(t["$tf"].get("args", [0])[1:]) for t in d["args"][1]]
        return strip(P) == strip(Q) and P["args"][0]["$d"]["cls"] == Q["args"][0]["$d"]["cls"]
    if P["cls"] == "Independent":
        return P["args"][1] == Q["args"][1] and P["args"][0]["$d"]["cls"] == Q["args"][0]["$d"]["cls"]
    if P["cls"] == "Multinomial":
        return P["args"][0] == Q["args"][0]
    return True


def _gen_rsample(dt, ins, v):
    """rsample at given noise: LowRankMultivariateNormal, RelaxedBernoulli, RelaxedOneHotCategorical."""
    k = ch(["lowrank", "rb", "rohc"])
    ss = ch([[], [], [2]])
    if k == "lowrank":
        spec, batch, ev, *_ = make_dist(dt, ins, v, "", ["lowrank"])
        m = ins["W"]["shape"][-1]
        ins["u"] = {"shape": ss + batch + [m + ev[0]], "dtype": dt, "views": [], "grad": False}
        ins["u"]["data"] = [ri(-40, 40) / 16 for _ in range(_numel(ins["u"]["shape"]))]
    else:
        shapes, batch = bcast_shapes(2)
        K = [ri(1, 4)] if k == "rohc" else []
        if k == "rohc":
            shapes[1] = shapes[1] + K
        ins["t"] = pinput([], dt, "temp")  # torch's batch shape ignores the temperature's
        batch = list(shapes[1][:len(shapes[1]) - len(K)])
        logits = R.random() < 0.5
        ins["q"] = pinput(shapes[1], dt, "logit" if logits else "prob")
        spec = dspec("RelaxedBernoulli" if k == "rb" else "RelaxedOneHotCategorical", [T("t")], {"logits" if logits else "probs": T("q")}, v)
        ins["u"] = {"shape": ss + batch + K, "dtype": dt, "views": [], "grad": False}
        ins["u"]["data"] = [ch([ri(1, 15) / 16, 1e-9, 1.0, 0.0]) if R.random() < 0.2 else ri(1, 15) / 16
                            for _ in range(_numel(ins["u"]["shape"]))]
    return _case(ins, {"fn": "dist:rsample_at", "d": spec, "noise": "u", "args": [ss], "kw": {}})
