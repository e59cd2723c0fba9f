"""Fuzz case families "index2" (advanced indexing with several broadcast index tensors and masks, the
index writers with duplicate indices: index_put accumulate, scatter/scatter_add/scatter_reduce,
index_add/copy/fill/reduce, masked_scatter, take, take_along_dim, put, nonzero) and "cum" (cumulative
ops, diff, stable sort with ties, unique, bincount, histc, searchsorted, bucketize, kthvalue, mode,
median, msort, flip/roll/rot90 on views). See tools/fuzz/README.md."""
from genlib import R, T, case, ch, fdt, make_input, numel, ri, rshape  # noqa: F401


def idx(shape, lo, hi):
    return {"shape": shape, "dtype": "index", "data": [ri(lo, hi) for _ in range(numel(shape))], "views": [], "grad": False}


def bcast_shapes(k):
    """k index shapes that broadcast together."""
    base = rshape(ri(0, 2), 1, 3)
    out = []
    for _ in range(k):
        s = [1 if R.random() < 0.35 else d for d in base]
        if R.random() < 0.3 and s:
            s = s[ri(0, len(s)):]
        out.append(s)
    return out


def gen_index2():
    if R.random() < 0.3:
        return gen_index2_inplace()
    k = ch(["getitem", "getitem", "getitem", "index_put", "index_put", "gather", "scatter", "scatter_add", "scatter_reduce",
            "scatter_reduce", "index_add", "index_copy", "index_fill", "index_reduce", "index_reduce", "masked_scatter", "take",
            "take_along_dim", "put", "nonzero"])
    dt = ch(["float32", "float32", "float64", "int32"])
    nd = ri(1, 4)
    s = rshape(nd, 1, 4, zero=0.04)
    oob = R.random() < 0.04
    if k == "getitem":
        x = make_input(s, dt, True)
        nt = ri(1, min(nd, 3))
        pos = sorted(R.sample(range(nd), nt)) if R.random() < 0.5 else list(range(R.randint(0, nd - nt), nd))[:nt]
        shapes = bcast_shapes(nt)
        ins = {"x": x}
        items = []
        ti = 0
        for d in range(nd):
            if d in pos:
                nm = f"i{ti}"
                if R.random() < (0.15 if nt == 1 else 0.1):
                    ins[nm] = {"shape": [s[d]], "dtype": "bool", "data": [R.random() < 0.5 for _ in range(s[d])], "views": [],
                               "grad": False}
                else:
                    hi = s[d] + (1 if oob else 0)
                    ins[nm] = idx(shapes[ti], -s[d], hi - 1) if s[d] > 0 else idx([0], 0, 0)
                items.append(T(nm))
                ti += 1
            else:
                items.append(ch([":", ":", "1:", "::2", 0 if s[d] > 0 else ":", None]))
        while items and items[-1] == ":" and R.random() < 0.5:
            items.pop()
        if items and items[0] == ":" and R.random() < 0.5:
            items[0] = "..."
        if R.random() < 0.1 and nd >= 2:  # a multi-dim boolean mask over the leading dims
            ins = {"x": x, "m": make_input(s[:2], "bool", False, view="contig")}
            items = [T("m")]
        return case("index2", ins, "getitem", [T("x"), items], ts={"fn": "m.index", "args": [T("x"), items]})
    if k == "index_put":
        x = make_input(s, dt, False)
        nt = ri(1, min(nd, 3))
        shapes = bcast_shapes(nt)
        ins = {"x": x}
        names = []
        for j in range(nt):
            hi = s[j] + (1 if oob else 0)
            ins[f"i{j}"] = idx(shapes[j], -s[j], hi - 1) if s[j] > 0 else idx([0], 0, 0)
            names.append(f"i{j}")
        if R.random() < 0.15:
            ins = {"x": x, "m": make_input(s[:ri(1, nd)], "bool", False, view="contig")}
            names = ["m"]
            bsh = [sum(1 for v in ins["m"]["data"] if v)] + s[len(ins["m"]["shape"]):]
        else:
            bs = []
            for sh in shapes:
                bs = [max(a, b) for a, b in zip([1] * (len(sh) - len(bs)) + bs, [1] * (len(bs) - len(sh)) + sh)]
            bsh = bs + s[nt:]
        vsh = bsh[ri(0, len(bsh)):] if R.random() < 0.3 else bsh
        vsh = [1 if R.random() < 0.2 else d for d in vsh]
        ins["v"] = make_input(vsh, dt, True)
        acc = R.random() < 0.6
        grad = ins["v"]["grad"] and dt != "int32"
        if grad:
            ins["x"]["grad"] = True
        return case("index2", ins, "index_put", [T("x"), {"$ts": names}, T("v"), acc])
    d = ri(-nd, nd - 1)
    n = s[d]
    hi = n + (1 if oob else 0)
    if k in ("gather", "take_along_dim"):
        x = make_input(s, dt, True)
        ish = [ri(0, 4) if i == d % nd else ri(1, si) if si > 0 else 0 for i, si in enumerate(s)]
        if k == "take_along_dim":
            ish = [ri(0, 4) if i == d % nd else ch([1, si]) for i, si in enumerate(s)]
            if R.random() < 0.2:
                ins = {"x": x, "i": idx([ri(0, 5)], -numel(s) if False else 0, max(numel(s) - 1, 0))}
                return case("index2", ins, "take_along_dim", [T("x"), T("i")])
        ins = {"x": x, "i": idx(ish, 0, hi - 1) if hi > 0 else idx(ish, 0, 0)}
        if k == "take_along_dim":
            return case("index2", ins, "take_along_dim", [T("x"), T("i"), d])
        return case("index2", ins, "gather", [T("x"), d, T("i")], {"sparse_grad": False} if R.random() < 0.1 else None)
    if k in ("scatter", "scatter_add", "scatter_reduce"):
        x = make_input(s, dt, True)
        ish = [ri(0, 5) if i == d % nd else ri(0, si) for i, si in enumerate(s)]
        ins = {"x": x, "i": idx(ish, 0, hi - 1) if hi > 0 else idx(ish, 0, 0),
               "src": make_input([a + ri(0, 1) for a in ish], dt, True, view=ch(["contig", "slice", "t"]))}
        if k == "scatter_reduce":
            red = ch(["sum", "prod", "mean", "amax", "amin"])
            if red == "prod" and dt != "int32":
                for nm in ("x", "src"):
                    ins[nm]["data"] = [ch([0.0, 1.0, -0.5, 2.0, 1.5]) for _ in ins[nm]["data"]]
            return case("index2", ins, "scatter_reduce", [T("x"), d, T("i"), T("src"), red], {"include_self": R.random() < 0.5})
        return case("index2", ins, k, [T("x"), d, T("i"), T("src")])
    if k in ("index_add", "index_copy", "index_fill", "index_reduce"):
        x = make_input(s, dt, True)
        m = ri(0, 5)
        data = [ri(-n if R.random() < 0.2 else 0, hi - 1) if hi > 0 else 0 for _ in range(m)]
        if k == "index_copy":
            data = R.sample(range(n), min(m, n)) if n > 0 else []
        ins = {"x": x, "i": {"shape": [len(data)], "dtype": "index", "data": data, "views": [], "grad": False}}
        if k == "index_fill":
            return case("index2", ins, "index_fill", [T("x"), d, T("i"), ch([0.5, -2, 3])])
        ssh = list(s)
        ssh[d] = len(data)
        ins["src"] = make_input(ssh, dt, True)
        if k == "index_reduce":
            red = ch(["prod", "mean", "amax", "amin"])
            if red == "prod" and dt != "int32":
                for nm in ("x", "src"):
                    ins[nm]["data"] = [ch([0.0, 1.0, -0.5, 2.0, 1.5]) for _ in ins[nm]["data"]]
            return case("index2", ins, "index_reduce", [T("x"), d, T("i"), T("src"), red], {"include_self": R.random() < 0.5})
        kw = {"alpha": ch([2, -0.5])} if k == "index_add" and dt != "int32" and R.random() < 0.4 else None
        return case("index2", ins, k, [T("x"), d, T("i"), T("src")], kw)
    if k == "masked_scatter":
        msh = [1 if R.random() < 0.3 else v for v in s]
        ins = {"x": make_input(s, dt, True), "m": make_input(msh, "bool", False)}
        cnt = numel(s)
        ins["src"] = make_input([max(0, cnt + ri(-1 if R.random() < 0.1 else 0, 2))], dt, True)
        return case("index2", ins, "masked_scatter", [T("x"), T("m"), T("src")])
    if k == "take":
        tot = numel(s)
        ins = {"x": make_input(s, dt, True), "i": idx(rshape(ri(0, 2), 0, 4), -tot, tot - 1 + (1 if oob else 0)) if tot else idx([0], 0, 0)}
        return case("index2", ins, "take", [T("x"), T("i")])
    if k == "put":
        tot = numel(s)
        m = ri(0, 5)
        ins = {"x": make_input(s, dt, True), "i": idx([m], -tot, tot - 1 + (1 if oob else 0)) if tot else idx([0], 0, 0),
               "src": make_input([m if tot else 0], dt, True)}
        acc = R.random() < 0.6
        return case("index2", ins, "put", [T("x"), T("i"), T("src"), acc])
    x = make_input(s, ch(["float32", "int32", "bool"]), False)
    if x["dtype"] == "float32":
        x["data"] = [ch([0.0, 1.5, -0.0, "nan"]) for _ in x["data"]]
    return case("index2", {"x": x}, "nonzero", [T("x")], {"as_tuple": R.random() < 0.5})


# ---------------------------------------------------------------- cumulative ops, sorting, counting
def gen_cum():
    if R.random() < 0.06:
        return gen_bad_args()
    if R.random() < 0.12:  # larger lines: the wasm kernels' blocking and SIMD tails
        s = [ri(1, 40), ri(1, 70)]
        d = ri(-2, 1)
        # (no mode: torch's index among tied values in a long line comes from an unstable sort)
        k = ch(["cumsum", "cumprod", "cummax", "cummin", "logcumsumexp", "sort", "argsort", "kthvalue", "median", "msort",
                "flip", "roll"])
        x = make_input(s, ch(["float32", "float64"]), True, view=ch(["contig", "t", "slice", "narrow"]),
                       kind="distinct" if k in ("sort", "argsort", "kthvalue", "median", "msort") else "normal")
        if k == "cumprod":
            x["data"] = [1 + v / 64 if R.random() < 0.97 else 0.0 for v in x["data"]]
        if k in ("cummax", "cummin"):
            x["data"] = [float(ri(-3, 3)) for _ in x["data"]]
        if k in ("sort", "argsort"):
            desc = R.random() < 0.5
            return case("cum", {"x": x}, k, [T("x")], {"dim": d, "descending": desc, "stable": True},
                        ts={"fn": k, "args": [T("x"), d, desc]})
        if k == "kthvalue":
            return case("cum", {"x": x}, "kthvalue", [T("x"), ri(1, s[d]), d])
        if k == "median":
            return case("cum", {"x": x}, k, [T("x"), d])
        if k == "msort":
            return case("cum", {"x": x}, "msort", [T("x")])
        if k == "flip":
            return case("cum", {"x": x}, "flip", [T("x"), [d]])
        if k == "roll":
            return case("cum", {"x": x}, "roll", [T("x"), ri(-80, 80), d])
        return case("cum", {"x": x}, k, [T("x"), d])
    k = ch(["cumsum", "cumprod", "cumprod", "cummax", "cummin", "logcumsumexp", "diff", "sort", "argsort", "unique", "unique_consecutive",
            "bincount", "histc", "searchsorted", "bucketize", "kthvalue", "mode", "median", "nanmedian", "msort", "flip", "roll",
            "rot90"])
    nd = ri(1, 3)
    s = rshape(nd, 1, 5, zero=0.04)
    d = ri(-nd, nd - 1)
    dt = ch(["float32", "float32", "float64"])
    ties = lambda n: [ch([-1.0, 0.0, 0.5, 2.0]) for _ in range(n)]  # noqa: E731
    if k in ("cumsum", "cumprod", "logcumsumexp"):
        x = make_input(s, ch([dt, dt, "int32"]) if k != "logcumsumexp" else dt, True)
        if x["dtype"] != "int32" and R.random() < 0.15:
            x["data"] = [ch([v, v, v, "nan", "inf", "-inf"]) for v in x["data"]]
        if k == "cumprod" and x["dtype"] != "int32":
            x["data"] = [ch([0.0, 0.0, 1.5, -0.5, 2.0, 1.0]) for _ in x["data"]]
        if k == "logcumsumexp" and R.random() < 0.5:
            x["data"] = [ch(["-inf", v, v]) for v in x["data"]]
        kw = {"dtype": "float64"} if False else None
        return case("cum", {"x": x}, k, [T("x"), d], kw)
    if k in ("cummax", "cummin"):
        x = make_input(s, ch([dt, dt, "int32"]), True)
        x["data"] = [ch([-1, 0, 2, 3]) if x["dtype"] == "int32" else v for v in ties(len(x["data"]))]
        if x["dtype"] != "int32" and R.random() < 0.25:  # NaN (sticks: the max and the min from there on) and ±inf
            x["data"] = [ch([v, v, v, "nan", "inf", "-inf"]) for v in x["data"]]
        return case("cum", {"x": x}, k, [T("x"), d])
    if k == "diff":
        x = make_input(s, ch([dt, dt, "int32", "bool"]), True)
        ins = {"x": x}
        kw = {"n": ch([1, 1, 2, 3, 0]), "dim": d}
        ts_args = [T("x"), kw["n"], d, None, None]
        for j, nm in enumerate(("prepend", "append")):
            if R.random() < 0.3:
                ps = list(s)
                ps[d] = ri(0, 2)
                ins[nm[:3]] = make_input(ps, x["dtype"], True)
                kw[nm] = T(nm[:3])
                ts_args[3 + j] = T(nm[:3])
        while ts_args[-1] is None:
            ts_args.pop()
        return case("cum", ins, "diff", [T("x")], kw, ts={"fn": "diff", "args": ts_args})
    if k in ("sort", "argsort", "msort"):
        x = make_input(s, ch([dt, dt, "int32"]), True)
        if x["dtype"] != "int32":
            x["data"] = ties(len(x["data"]))
            if R.random() < 0.15:
                x["data"] = [ch([v, "inf", "-inf", -0.0]) for v in x["data"]]
        desc = R.random() < 0.4
        if k == "msort":
            return case("cum", {"x": x}, "msort", [T("x")])
        return case("cum", {"x": x}, k, [T("x")], {"dim": d, "descending": desc, "stable": True},
                    ts={"fn": k, "args": [T("x"), d, desc]})
    if k in ("unique", "unique_consecutive"):
        x = make_input(s, ch([dt, "int32", "int32"]), False)
        x["data"] = [ri(-2, 2) * (1 if x["dtype"] == "int32" else 0.5) for _ in x["data"]]
        kw = {"return_inverse": R.random() < 0.5, "return_counts": R.random() < 0.5}
        if R.random() < 0.3:
            kw["dim"] = d
        if k == "unique":
            kw["sorted"] = True
        return case("cum", {"x": x}, k, [T("x")], kw)
    if k == "bincount":
        n = ri(0, 8)
        ins = {"x": idx([n], -1 if R.random() < 0.05 else 0, 6)}
        kw = {"minlength": ch([0, 0, 3, 10])}
        args = [T("x"), None, kw["minlength"]]
        if R.random() < 0.5:
            ins["w"] = make_input([n], ch([dt, "int32"]), False)
            args[1] = T("w")
        return case("cum", ins, "bincount", [T("x")], ({"weights": T("w")} if "w" in ins else {}) | kw, ts={"fn": "bincount", "args": args})
    if k == "histc":
        x = make_input(s, dt, False, kind=ch(["normal", "normal", "special"]))
        lo, hi = ch([(0, 0), (-1, 1), (-2.5, 0.5), (1, 1), (2, -2)])
        return case("cum", {"x": x}, "histc", [T("x"), ri(1, 7), lo, hi])
    if k in ("searchsorted", "bucketize"):
        n = ri(0, 6)
        sorted_vals = sorted(ri(-4, 4) / 2 for _ in range(n))
        nd2 = ch([1, 1, 2])
        lead = [ri(1, 3)] if nd2 == 2 else []
        seqd = sorted_vals * (lead[0] if lead else 1)
        if lead:
            seqd = []
            for _ in range(lead[0]):
                seqd += sorted(ri(-4, 4) / 2 for _ in range(n))
        sdt = ch([dt, "int32"])
        seq = {"shape": lead + [n], "dtype": sdt, "data": [int(v * 2) for v in seqd] if sdt == "int32" else seqd, "views": [], "grad": False}
        vsh = lead + [ri(0, 4)] if lead else rshape(ri(0, 2), 1, 4)
        vals = make_input(vsh, ch([sdt, dt]), False)
        vals["data"] = [ri(-5, 5) / 2 if vals["dtype"] != "int32" else ri(-5, 5) for _ in vals["data"]]
        if k == "bucketize":
            if lead:
                seq = {"shape": [n], "dtype": sdt, "data": seq["data"][:n], "views": [], "grad": False}
            return case("cum", {"v": vals, "s": seq}, "bucketize", [T("v"), T("s")], {"right": R.random() < 0.5})
        kw = {}
        r = R.random()
        if r < 0.3:
            kw["right"] = True
        elif r < 0.6:
            kw["side"] = ch(["left", "right"])
        ins = {"s": seq, "v": vals}
        if R.random() < 0.3 and n > 0:  # an unsorted sequence and the indices that sort it
            lines = [seq["data"][j:j + n] for j in range(0, len(seq["data"]), n)]
            for ln in lines:
                R.shuffle(ln)
            seq["data"] = [v for ln in lines for v in ln]
            srt = [i for ln in lines for i in sorted(range(n), key=lambda i, ln=ln: (ln[i], i))]
            ins["st"] = {"shape": list(seq["shape"]), "dtype": "index", "data": srt, "views": [], "grad": False}
            kw["sorter"] = T("st")
        return case("cum", ins, "searchsorted", [T("s"), T("v")], kw)
    if k in ("kthvalue", "mode", "median", "nanmedian"):
        # not expanded: torch 1.13's median/nanmedian read an expanded input wrongly (garbage values)
        x = make_input(s, ch([dt, dt, "int32"]), True, kind="distinct" if k == "kthvalue" else "normal",
                       view=ch(["contig", "t", "permute", "slice", "narrow", "unfold", "select"]))
        if k in ("mode",) and x["dtype"] != "int32":
            x["data"] = ties(len(x["data"]))
        if k == "nanmedian" and x["dtype"] != "int32":
            x["data"] = [ch(["nan", v, v]) for v in x["data"]]
        kd = R.random() < 0.4
        if k == "kthvalue":
            return case("cum", {"x": x}, "kthvalue", [T("x"), ri(0, s[d] + (1 if R.random() < 0.1 else 0)) or 1, d, kd])
        if k in ("median", "nanmedian") and R.random() < 0.25:
            return case("cum", {"x": x}, k, [T("x")])
        if k in ("median",) and x["dtype"] != "int32":
            x["data"] = [v if R.random() < 0.8 else ch([0.5, 2.0]) for v in x["data"]]
        return case("cum", {"x": x}, k, [T("x"), d, kd])
    x = make_input(s, ch([dt, dt, "int32"]), True, view=ch(["t", "permute", "slice", "expand", "unfold", "select", "contig"]))
    if k == "flip":
        return case("cum", {"x": x}, "flip", [T("x"), R.sample(range(nd), ri(1, nd))])
    if k == "roll":
        if R.random() < 0.3:
            return case("cum", {"x": x}, "roll", [T("x"), ri(-7, 7)])
        dims = R.sample(range(-nd, nd), ri(1, nd)) if False else R.sample(range(nd), ri(1, nd))
        return case("cum", {"x": x}, "roll", [T("x"), [ri(-7, 7) for _ in dims], dims])
    if nd < 2:
        return gen_cum()
    dims = R.sample(range(-nd, nd), 2) if R.random() < 0.1 else R.sample(range(nd), 2)
    return case("cum", {"x": x}, "rot90", [T("x"), ri(-5, 5), dims])


def gen_index2_inplace():
    """The in-place writers (Tensor methods ending in _) on a view of a base: the view and the base
    are outputs after the call; the written values carry the gradient when x is a whole tensor
    (Tensile refuses to record an in-place op on a view of part of a tensor: docs/pytorch-names.md)."""
    c = _index2_inplace()
    if c["inputs"]["x"]["views"]:
        for s in c["inputs"].values():
            s["grad"] = False
    return c


def _index2_inplace():
    k = ch(["index_put_", "index_put_", "scatter_", "scatter_add_", "scatter_reduce_", "index_add_", "index_copy_", "index_fill_",
            "index_reduce_", "masked_scatter_", "masked_fill_", "put_"])
    dt = ch(["float32", "float64", "int32"])
    nd = ri(1, 3)
    s = rshape(nd, 1, 4)
    x = make_input(s, dt, False, view=ch(["contig", "t", "permute", "slice", "narrow", "select"]))
    ins = {"x": x}
    d = ri(-nd, nd - 1)
    n = s[d]
    after = ["x", "^x"]
    if k == "index_put_":
        nt = ri(1, min(nd, 2))
        shapes = bcast_shapes(nt)
        names = []
        for j in range(nt):
            ins[f"i{j}"] = idx(shapes[j], -s[j], s[j] - 1)
            names.append(f"i{j}")
        bs = []
        for sh in shapes:
            bs = [max(a, b) for a, b in zip([1] * (len(sh) - len(bs)) + bs, [1] * (len(bs) - len(sh)) + sh)]
        ins["v"] = make_input(bs + s[nt:], dt, True)
        return case("index2", ins, "m.index_put_", [T("x"), {"$ts": names}, T("v"), R.random() < 0.6], after=after)
    if k in ("scatter_", "scatter_add_", "scatter_reduce_"):
        ish = [ri(0, 4) if i == d % nd else ri(0, si) for i, si in enumerate(s)]
        ins["i"] = idx(ish, 0, n - 1)
        ins["src"] = make_input(ish, dt, True)
        if k == "scatter_reduce_":
            return case("index2", ins, "m.scatter_reduce_", [T("x"), d, T("i"), T("src"), ch(["sum", "prod", "mean", "amax", "amin"])],
                        {"include_self": R.random() < 0.5}, after=after)
        return case("index2", ins, "m." + k, [T("x"), d, T("i"), T("src")], after=after)
    if k in ("index_add_", "index_copy_", "index_fill_", "index_reduce_"):
        m = ri(0, 5)
        data = [ri(0, n - 1) for _ in range(m)]
        if k == "index_copy_":
            data = R.sample(range(n), min(m, n))
        ins["i"] = {"shape": [len(data)], "dtype": "index", "data": data, "views": [], "grad": False}
        if k == "index_fill_":
            return case("index2", ins, "m.index_fill_", [T("x"), d, T("i"), ch([0.5, -2, 3])], after=after)
        ssh = list(s)
        ssh[d] = len(data)
        ins["src"] = make_input(ssh, dt, True)
        if k == "index_reduce_":
            return case("index2", ins, "m.index_reduce_", [T("x"), d, T("i"), T("src"), ch(["prod", "mean", "amax", "amin"])],
                        {"include_self": R.random() < 0.5}, after=after)
        kw = {"alpha": ch([2, -0.5])} if k == "index_add_" and dt != "int32" and R.random() < 0.5 else None
        return case("index2", ins, "m." + k, [T("x"), d, T("i"), T("src")], kw, after=after)
    if k in ("masked_scatter_", "masked_fill_"):
        ins["m"] = make_input([1 if R.random() < 0.3 else v for v in s], "bool", False)
        if k == "masked_fill_":
            return case("index2", ins, "m.masked_fill_", [T("x"), T("m"), ch([0.5, -3])], after=after)
        ins["src"] = make_input([numel(s) + ri(0, 2)], dt, True)
        return case("index2", ins, "m.masked_scatter_", [T("x"), T("m"), T("src")], after=after)
    tot = numel(s)
    m = ri(0, 5)
    ins["i"] = idx([m], -tot, tot - 1)
    ins["src"] = make_input([m], dt, True)
    return case("index2", ins, "m.put_", [T("x"), T("i"), T("src"), R.random() < 0.6], after=after)


def gen_bad_args():
    """One bad argument each for the counting, ordering and index-writing ops."""
    x = {"x": make_input([3, 4], "float32", True, view="contig")}
    k = ch(["histc_b0", "histc_bneg", "bincount_ml", "bincount_2d", "bincount_float", "diff_neg", "unique_dim", "uc_dim", "ss_side",
            "ss_both", "roll_mismatch", "rot90_same", "rot90_1d", "flip_dup", "tad_dims", "sr_reduce", "ir_sum", "gather_nd",
            "kth0", "kth_big", "cummax_dim", "sort_dim", "scatter_dtype", "index_add_dtype", "take_float", "put_len"])
    i1 = lambda data: {"shape": [len(data)], "dtype": "index", "data": data, "views": [], "grad": False}  # noqa: E731
    if k in ("histc_b0", "histc_bneg"):
        return case("cum", x, "histc", [T("x"), 0 if k == "histc_b0" else -2, 0, 1])
    if k == "bincount_ml":
        return case("cum", {"i": i1([0, 2, 1])}, "bincount", [T("i")], {"minlength": -1}, ts={"fn": "bincount", "args": [T("i"), None, -1]})
    if k == "bincount_2d":
        return case("cum", {"i": idx([2, 2], 0, 3)}, "bincount", [T("i")])
    if k == "bincount_float":
        return case("cum", x, "bincount", [T("x")])
    if k == "diff_neg":
        return case("cum", x, "diff", [T("x")], {"n": -1}, ts={"fn": "diff", "args": [T("x"), -1]})
    if k in ("unique_dim", "uc_dim"):
        return case("cum", x, "unique" if k == "unique_dim" else "unique_consecutive", [T("x")], {"dim": ch([2, -3])})
    if k == "ss_side":
        return case("cum", {"s": i1([0, 1, 2]), "v": i1([1])}, "searchsorted", [T("s"), T("v")], {"side": "middle"})
    if k == "ss_both":
        return case("cum", {"s": i1([0, 1, 2]), "v": i1([1])}, "searchsorted", [T("s"), T("v")], {"side": "left", "right": True})
    if k == "roll_mismatch":
        return case("cum", x, "roll", [T("x"), [1, 2], [0]])
    if k == "rot90_same":
        return case("cum", x, "rot90", [T("x"), 1, [0, 0]])
    if k == "rot90_1d":
        return case("cum", {"x": make_input([4], "float32", True)}, "rot90", [T("x"), 1, [0, 1]])
    if k == "flip_dup":
        return case("cum", x, "flip", [T("x"), [0, 0]])
    if k == "tad_dims":
        return case("cum", x | {"i": idx([2, 2, 2], 0, 2)}, "take_along_dim", [T("x"), T("i"), 1])
    if k == "sr_reduce":
        return case("index2", x | {"i": idx([3, 4], 0, 2), "s": make_input([3, 4], "float32", True)}, "scatter_reduce",
                    [T("x"), 1, T("i"), T("s"), "max"])
    if k == "ir_sum":
        return case("index2", x | {"i": i1([0, 1]), "s": make_input([3, 2], "float32", True)}, "index_reduce", [T("x"), 1, T("i"), T("s"), "sum"])
    if k == "gather_nd":
        return case("index2", x | {"i": idx([3], 0, 2)}, "gather", [T("x"), 1, T("i")])
    if k in ("kth0", "kth_big"):
        return case("cum", x, "kthvalue", [T("x"), 0 if k == "kth0" else 5, 1])
    if k in ("cummax_dim", "sort_dim"):
        return case("cum", x, "cummax" if k == "cummax_dim" else "sort", [T("x"), ch([2, -3])])
    if k == "scatter_dtype":
        return case("index2", x | {"i": idx([3, 4], 0, 2), "s": make_input([3, 4], "float64", True)}, "scatter", [T("x"), 1, T("i"), T("s")])
    if k == "index_add_dtype":
        return case("index2", x | {"i": i1([0, 1]), "s": make_input([3, 2], "float64", True)}, "index_add", [T("x"), 1, T("i"), T("s")])
    if k == "take_float":
        return case("index2", x | {"i": make_input([2], "float32", False)}, "take", [T("x"), T("i")])
    return case("index2", x | {"i": i1([0, 1, 2]), "s": make_input([2], "float32", True)}, "put", [T("x"), T("i"), T("s")])
