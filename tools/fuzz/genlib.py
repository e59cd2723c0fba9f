"""Shared helpers of the fuzz case generators (tools/fuzz/gen.py): the seeded RNG, random shapes and
values, and inputs built as a base tensor plus a chain of views (see spec.py for the case format)."""
import random

R = random.Random(0)  # reseeded by gen.py's main


def T(name):
    return {"$t": name}


def ri(a, b):
    return R.randint(a, b)


def ch(xs):
    return R.choice(xs)


def numel(s):
    n = 1
    for d in s:
        n *= d
    return n


def values(n, dtype, kind="normal"):
    if dtype == "bool":
        return [R.random() < 0.5 for _ in range(n)]
    if dtype in ("int32", "index"):
        return [ri(-6, 6) for _ in range(n)]
    if kind == "pos":
        return [ri(2, 48) / 16 for _ in range(n)]
    if kind == "distinct":
        xs = R.sample(range(-200, 200), n) if n <= 400 else R.sample(range(-4 * n, 4 * n), n)
        return [x / 64 for x in xs]
    if kind == "unit":
        return [ri(-15, 15) / 16 for _ in range(n)]
    out = []
    for _ in range(n):
        if kind == "special" and R.random() < 0.25:
            out.append(ch(["nan", "inf", "-inf", 0.0, -0.0]))
        else:
            out.append(ri(-48, 48) / 16)
    return out


def rshape(nd, lo=1, hi=5, zero=0.0):
    return [0 if R.random() < zero else ri(lo, hi) for _ in range(nd)]


def make_input(shape, dtype="float32", grad=False, view=None, kind="normal", data=None):
    """An input whose final (viewed) shape is `shape`: a base tensor plus a chain of views."""
    nd = len(shape)
    view = view or ch(["contig", "contig", "t", "permute", "slice", "narrow", "expand", "unfold", "select"])
    base, views = list(shape), []
    if view == "t" and nd >= 2:
        i, j = R.sample(range(nd), 2)
        base[i], base[j] = base[j], base[i]
        views = [["transpose", i, j]]
    elif view == "permute" and nd >= 2:
        p = list(range(nd))
        R.shuffle(p)
        base = [0] * nd
        for k in range(nd):
            base[p[k]] = shape[k]
        views = [["permute", p]]
    elif view == "slice" and nd >= 1:
        d, st, s0 = ri(0, nd - 1), ri(2, 3), ri(0, 1)
        n = shape[d]
        base[d] = (s0 + (n - 1) * st + 1 + ri(0, 1)) if n > 0 else ri(0, 2)
        stop = s0 + (n - 1) * st + 1 if n > 0 else s0
        s0 = s0 if n > 0 else min(s0, base[d])
        stop = stop if n > 0 else s0
        spec = ", ".join([":"] * d + [f"{s0}:{stop}:{st}"])
        views = [["index", spec]]
    elif view == "narrow" and nd >= 1:
        d, k = ri(0, nd - 1), ri(0, 2)
        base[d] = shape[d] + k + ri(0, 2)
        views = [["narrow", d, k, shape[d]]]
    elif view == "expand" and nd >= 1 and any(s > 1 for s in shape):
        base = [1 if (s > 1 and R.random() < 0.5) else s for s in shape]
        if base == list(shape):
            base = [1 if s > 1 else s for s in shape]
        lead = ri(0, 1) if nd >= 2 and base[0] == 1 else 0
        base = base[lead:]
        views = [["expand", list(shape)]]
    elif view == "unfold" and nd >= 2 and shape[-1] >= 1:
        d = ri(0, nd - 2)
        size, step = shape[-1], ri(1, 3)
        base = list(shape[:-1])
        base[d] = (shape[d] - 1) * step + size if shape[d] > 0 else 0
        if shape[d] == 0:
            views = None
        else:
            views = [["unfold", d, size, step]]
        if views is None:
            base, views = list(shape), []
    elif view == "select":
        d = ri(0, nd)
        base = list(shape[:d]) + [ri(1, 3)] + list(shape[d:])
        views = [["select", d, ri(0, base[d] - 1)]]
    if dtype == "bool" or dtype in ("int32", "index"):
        grad = False
    return {"shape": base, "dtype": dtype, "data": data if data is not None else values(numel(base), dtype, kind),
            "views": views, "grad": grad}


def fdt():
    return ch(["float32", "float32", "float64"])


def case(fam, inputs, fn, args, kw=None, ts=None, after=None, gnc=None):
    c = {"family": fam, "inputs": inputs, "call": {"fn": fn, "args": args, "kw": kw or {}}}
    if ts:
        c["ts"] = ts
    if after:
        c["after"] = after
    c["gnc"] = R.random() < 0.5 if gnc is None else gnc
    return c


def bshape(s):
    """A shape that broadcasts with s."""
    b = [1 if R.random() < 0.3 else d for d in s]
    if R.random() < 0.25:
        b = b[ri(0, len(b)):]
    if R.random() < 0.1:
        b = [1] + b
    return b



def rdims(nd):
    if nd == 0:
        return ch([None, 0, -1])
    r = R.random()
    if r < 0.2:
        return None
    if r < 0.6:
        return ri(-nd, nd - 1)
    k = ri(1, nd)
    return [d - (nd if R.random() < 0.3 else 0) for d in R.sample(range(nd), k)]


