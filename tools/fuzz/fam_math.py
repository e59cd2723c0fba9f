"""Fuzz case families: elementwise (unary, binary, ternary), in-place ops on views, reductions, matmul."""
from genlib import R, T, bshape, case, ch, fdt, make_input, rdims, ri, rshape  # noqa: F401

# ---------------------------------------------------------------- elementwise
UNARY = [("abs", "normal"), ("neg", "normal"), ("exp", "normal"), ("log", "pos"), ("sqrt", "pos"), ("sin", "normal"),
         ("cos", "normal"), ("tanh", "normal"), ("sigmoid", "normal"), ("relu", "normal"), ("floor", "normal"),
         ("ceil", "normal"), ("round", "normal"), ("sign", "normal"), ("reciprocal", "pos"), ("erf", "normal"),
         ("expm1", "normal"), ("log1p", "pos"), ("rsqrt", "pos"), ("square", "normal"), ("trunc", "normal"),
         ("frac", "normal"), ("sinh", "normal"), ("cosh", "normal"), ("asinh", "normal"), ("atan", "normal"),
         ("log2", "pos"), ("exp2", "normal"), ("sgn", "normal"), ("logit", "unit"), ("erfc", "normal"),
         ("lgamma", "pos"), ("digamma", "pos"), ("sinc", "normal"), ("isnan", "special"), ("isinf", "special"),
         ("isfinite", "special"), ("signbit", "special"), ("nan_to_num", "special"), ("logical_not", "normal")]
FUNARY = [("gelu", {}), ("silu", {}), ("softplus", {}), ("elu", {}), ("leaky_relu", {}), ("logsigmoid", {}),
          ("hardtanh", {}), ("mish", {}), ("relu6", {}), ("hardswish", {}), ("hardsigmoid", {}), ("selu", {}),
          ("softsign", {}), ("tanhshrink", {}), ("celu", {}), ("gelu", {"approximate": "tanh"}), ("softshrink", {}),
          ("hardshrink", {})]


def gen_unary():
    nd = ri(0, 4)
    shape = rshape(nd, zero=0.1)
    dt = ch(["float32", "float32", "float64", "int32", "bool"]) if R.random() < 0.3 else fdt()
    if R.random() < 0.25:
        name, kw = ch(FUNARY)
        dt = fdt()
        return case("unary", {"x": make_input(shape, dt, True)}, "F." + name, [T("x")], kw)
    name, kind = ch(UNARY)
    if R.random() < 0.15:
        kind = "special"
    return case("unary", {"x": make_input(shape, dt, True, kind=kind)}, name, [T("x")])


BINARY = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "atan2", "remainder", "fmod", "eq", "ne", "lt", "ge",
          "logical_and", "logical_or", "logical_xor", "hypot", "copysign", "xlogy", "logaddexp", "floor_divide", "fmax",
          "fmin", "bitwise_and", "bitwise_xor", "gcd", "heaviside", "logaddexp2", "nextafter", "true_divide"]


def gen_binary():
    nd = ri(0, 4)
    s = rshape(nd, zero=0.1)
    sb = bshape(s) if R.random() < 0.7 else list(s)
    if R.random() < 0.5:
        s, sb = sb, s
    name = ch(BINARY)
    da = ch(["float32", "float32", "float64", "int32", "bool"])
    db = da if R.random() < 0.6 else ch(["float32", "float64", "int32", "bool"])
    if name in ("bitwise_and", "bitwise_xor", "gcd"):
        da = db = ch(["int32", "bool"]) if name != "gcd" else "int32"
    kind = "special" if R.random() < 0.15 else ("pos" if name in ("pow", "xlogy") else "normal")
    kw = {}
    if name in ("add", "sub") and R.random() < 0.3:
        kw["alpha"] = ch([2, 0.5, -1]) if da.startswith("float") or db.startswith("float") else ch([2, -1])
    if name == "div" and R.random() < 0.4:
        kw["rounding_mode"] = ch(["trunc", "floor"])
    ins = {"a": make_input(s, da, True, kind=kind)}
    if R.random() < 0.2 and name not in ("heaviside", "nextafter", "gcd", "bitwise_and", "bitwise_xor", "xlogy"):
        sc = ch([2.5, -1.5, 0.5, 3]) if name != "pow" else ch([2, 0.5, 3, -1])
        return case("binary", ins, name, [T("a"), sc], kw)
    ins["b"] = make_input(sb, db, True, kind=kind)
    return case("binary", ins, name, [T("a"), T("b")], kw)


def gen_ternary():
    nd = ri(0, 3)
    s = rshape(nd, zero=0.1)
    k = ch(["where", "clamp", "lerp", "addcmul", "addcdiv", "clamp_s"])
    dt = fdt()
    if k == "where":
        ins = {"c": make_input(bshape(s), "bool"), "a": make_input(bshape(s), dt, True),
               "b": make_input(bshape(s), ch([dt, "float32", "float64", "int32"]), True)}
        return case("ternary", ins, "where", [T("c"), T("a"), T("b")])
    if k == "clamp":
        ins = {"x": make_input(s, dt, True, kind=ch(["normal", "special"])), "lo": make_input(bshape(s), dt, True),
               "hi": make_input(bshape(s), dt, True)}
        return case("ternary", ins, "clamp", [T("x"), T("lo"), T("hi")])
    if k == "clamp_s":
        lo, hi = ch([(-1, 1), (0.5, -0.5), (None, 0.25), (-0.25, None), (1, 1)])
        ins = {"x": make_input(s, ch([dt, "int32"]), True, kind=ch(["normal", "special"]))}
        return case("ternary", ins, "clamp", [T("x"), lo, hi])
    if k == "lerp":
        ins = {"a": make_input(bshape(s), dt, True), "b": make_input(bshape(s), dt, True)}
        if R.random() < 0.5:
            return case("ternary", ins, "lerp", [T("a"), T("b"), ch([0.25, 0.75, 1.5])])
        ins["w"] = make_input(bshape(s), dt, True, kind="unit")
        return case("ternary", ins, "lerp", [T("a"), T("b"), T("w")])
    ins = {"x": make_input(bshape(s), dt, True), "a": make_input(bshape(s), dt, True),
           "b": make_input(bshape(s), dt, True, kind="pos")}
    return case("ternary", ins, k, [T("x"), T("a"), T("b")], {"value": ch([1, 0.5, -2])})


INPLACE_BIN = ["add_", "sub_", "mul_", "div_", "copy_", "pow_", "clamp_min_", "lerp_", "masked_fill_",
               "fmod_", "atan2_", "addcmul_"]
INPLACE_UN = ["exp_", "neg_", "abs_", "relu_", "sigmoid_", "tanh_", "zero_", "fill_", "clamp_", "floor_", "sqrt_",
              "cumsum_", "tril_", "triu_", "mul_s", "add_s", "sin_"]


def gen_inplace():
    nd = ri(1, 3)
    s = rshape(nd, zero=0.05)
    dt = ch(["float32", "float32", "float64", "int32"])
    view = ch(["t", "permute", "slice", "narrow", "select", "contig", "t", "expand"])
    ins = {"x": make_input(s, dt, False, view=view, kind="pos" if R.random() < 0.5 else "normal")}
    if R.random() < 0.5:
        name = ch(INPLACE_UN)
        args = []
        if name == "fill_":
            args = [ch([1.5, -2, 0])]
        elif name == "clamp_":
            args = [-0.5, 1]
        elif name == "cumsum_":
            args = [ri(-nd, nd - 1)]
        elif name in ("tril_", "triu_"):
            if nd < 2:
                name = "exp_"
            else:
                args = [ri(-1, 1)]
        elif name == "mul_s":
            name, args = "mul_", [ch([2, -0.5])]
        elif name == "add_s":
            name, args = "add_", [ch([2, -0.5])]
        return case("inplace", ins, "m." + name, [T("x")] + args, after=["x", "^x"])
    name = ch(INPLACE_BIN)
    db = ch([dt, dt, "float32", "int32"])
    ins["o"] = make_input(bshape(s) if name != "copy_" or R.random() < 0.5 else s, db, False)
    if name == "masked_fill_":
        ins["o"] = make_input(bshape(s), "bool", False)
        return case("inplace", ins, "m.masked_fill_", [T("x"), T("o"), ch([0.5, -3, 7])], after=["x", "^x"])
    if name == "lerp_":
        return case("inplace", ins, "m.lerp_", [T("x"), T("o"), 0.25], after=["x", "^x"])
    if name == "addcmul_":
        ins["p"] = make_input(bshape(s), db, False)
        return case("inplace", ins, "m.addcmul_", [T("x"), T("o"), T("p")], {"value": 0.5}, after=["x", "^x"])
    return case("inplace", ins, "m." + name, [T("x"), T("o")], after=["x", "^x"])


# ---------------------------------------------------------------- reductions
def gen_reduce():
    nd = ri(0, 4)
    s = rshape(nd, zero=0.08)
    dt = fdt()
    kind = ch(["normal", "normal", "special", "distinct"])
    x = make_input(s, dt, True, kind=kind)
    ins = {"x": x}
    name = ch(["sum", "mean", "prod", "amax", "amin", "max", "min", "argmax", "argmin", "var", "std", "logsumexp",
               "norm", "cumsum", "cumprod", "sort", "topk", "kthvalue", "median", "mode", "nansum", "nanmean", "all",
               "any", "count_nonzero", "logcumsumexp", "cummax", "cummin", "aminmax", "var_mean", "std_mean",
               "nanmedian", "argsort", "msort", "quantile"])
    d = rdims(nd)
    kd = R.random() < 0.4
    one = ri(-nd, nd - 1) if nd else ch([0, -1])
    if name in ("sum", "mean", "nansum", "nanmean"):
        if d is None:
            return case("reduce", ins, name, [T("x")])
        return case("reduce", ins, name, [T("x"), d, kd])
    if name in ("amax", "amin"):
        return case("reduce", ins, name, [T("x"), d if d is not None else []] if not kd else [T("x"), d if d is not None else [], kd])
    if name in ("prod", "argmax", "argmin", "logcumsumexp", "cumsum", "cumprod", "cummax", "cummin"):
        if name in ("logcumsumexp", "cumsum", "cumprod", "cummax", "cummin"):
            return case("reduce", ins, name, [T("x"), one])
        if R.random() < 0.3:
            return case("reduce", ins, name, [T("x")])
        return case("reduce", ins, name, [T("x"), one, kd])
    if name in ("max", "min", "median", "nanmedian"):
        if R.random() < 0.3:
            return case("reduce", ins, name, [T("x")])
        return case("reduce", ins, name, [T("x"), one, kd])
    if name in ("var", "std", "var_mean", "std_mean"):
        kw = {"correction": ch([0, 1, 2])}
        if kd:
            kw["keepdim"] = True
        return case("reduce", ins, name, [T("x"), d], kw) if d is not None else case("reduce", ins, name, [T("x")], kw)
    if name == "logsumexp":
        return case("reduce", ins, name, [T("x"), d if d is not None else one, kd])
    if name == "norm":
        p = ch([2, 1, 3, "inf", "-inf", 0, 0.5])
        args = [T("x"), p] + ([d, kd] if d is not None else [])
        return case("reduce", ins, "norm", args)
    if name == "sort":
        desc = R.random() < 0.5
        return case("reduce", ins, "sort", [T("x")], {"stable": True, "dim": one, "descending": desc},
                    ts={"fn": "sort", "args": [T("x"), one, desc]})
    if name == "argsort":
        return case("reduce", ins, "argsort", [T("x"), one, R.random() < 0.5])
    if name == "msort":
        return case("reduce", ins, "msort", [T("x")])
    if name == "topk":
        n = s[one] if nd else 1
        k = ri(0, n)
        return case("reduce", ins, "topk", [T("x"), k, one, R.random() < 0.6])
    if name == "kthvalue":
        n = s[one] if nd else 1
        k = ri(1, max(1, n)) if R.random() < 0.9 else n + 1
        return case("reduce", ins, "kthvalue", [T("x"), k, one, kd])
    if name == "mode":
        ins["x"] = make_input(s, ch(["float32", "int32"]), False, data=None)
        if ins["x"]["dtype"] == "float32":
            ins["x"]["data"] = [ri(-2, 2) / 2 for _ in ins["x"]["data"]]
        return case("reduce", ins, "mode", [T("x"), one, kd])
    if name in ("all", "any", "count_nonzero"):
        ins["x"] = make_input(s, ch(["bool", "float32", "int32"]), False)
        if name == "count_nonzero":
            return case("reduce", ins, name, [T("x")] + ([d] if d is not None else []))
        return case("reduce", ins, name, [T("x")] + ([one, kd] if R.random() < 0.7 else []))
    if name == "aminmax":
        kw = {"dim": one, "keepdim": kd} if R.random() < 0.7 else {}
        return case("reduce", ins, name, [T("x")], kw)
    if name == "quantile":
        q = ch([0.5, 0.0, 1.0, 0.3])
        kw = {"interpolation": ch(["linear", "lower", "higher", "midpoint", "nearest"])}
        if R.random() < 0.3:
            return case("reduce", ins, name, [T("x"), q], kw, ts={"fn": name, "args": [T("x"), q, None, False, kw]})
        return case("reduce", ins, name, [T("x"), q, one, kd], kw)
    raise AssertionError(name)


# ---------------------------------------------------------------- matmul
def gen_matmul():
    k = ch(["matmul", "matmul", "matmul", "bmm", "mm", "einsum", "tensordot", "mv", "dot", "outer", "baddbmm", "addmm"])
    dt = fdt()
    n, m, p = ri(0, 4) if R.random() < 0.15 else ri(1, 4), ri(0, 4) if R.random() < 0.15 else ri(1, 5), ri(1, 4)
    if k == "matmul":
        na, nb = ri(1, 4), ri(1, 4)
        batch = rshape(max(na, nb) - 2, zero=0.05) if max(na, nb) > 2 else []
        sa = [m] if na == 1 else (bshape(batch)[-(na - 2):] if na > 2 else []) + [n, m]
        sb = [m] if nb == 1 else (bshape(batch)[-(nb - 2):] if nb > 2 else []) + [m, p]
        if na > 2:
            sa = (batch[-(na - 2):] if R.random() < 0.5 else [1 if R.random() < 0.5 else b for b in batch[-(na - 2):]]) + sa[-2:]
        if R.random() < 0.05:
            sb = [m + 1] if nb == 1 else sb[:-2] + [m + 1, p]
        ins = {"a": make_input(sa, dt, True), "b": make_input(sb, ch([dt, dt, "float32", "float64"]), True)}
        return case("matmul", ins, "matmul", [T("a"), T("b")])
    if k in ("bmm", "baddbmm"):
        b = ri(0, 3)
        ins = {"a": make_input([b, n, m], dt, True), "b": make_input([b, m, p], dt, True)}
        if k == "bmm":
            return case("matmul", ins, "bmm", [T("a"), T("b")])
        ins["c"] = make_input(bshape([b, n, p]), dt, True)
        return case("matmul", ins, "baddbmm", [T("c"), T("a"), T("b")], {"beta": ch([1, 0.5, 0]), "alpha": ch([1, 2])})
    if k in ("mm", "addmm"):
        ins = {"a": make_input([n, m], dt, True), "b": make_input([m, p], dt, True)}
        if k == "mm":
            return case("matmul", ins, "mm", [T("a"), T("b")])
        ins["c"] = make_input(bshape([n, p]), dt, True)
        return case("matmul", ins, "addmm", [T("c"), T("a"), T("b")], {"beta": ch([1, 0.5, 0]), "alpha": ch([1, -1])})
    if k == "mv":
        ins = {"a": make_input([n, m], dt, True), "b": make_input([m], dt, True)}
        return case("matmul", ins, "mv", [T("a"), T("b")])
    if k == "dot":
        ins = {"a": make_input([m], dt, True), "b": make_input([m], dt, True)}
        return case("matmul", ins, "dot", [T("a"), T("b")])
    if k == "outer":
        ins = {"a": make_input([n], dt, True), "b": make_input([p], dt, True)}
        return case("matmul", ins, "outer", [T("a"), T("b")])
    if k == "tensordot":
        sa = rshape(ri(1, 3), zero=0.05)
        nc = ri(0, len(sa))
        sb = sa[len(sa) - nc:] + rshape(ri(0, 2))
        ins = {"a": make_input(sa, dt, True), "b": make_input(sb, dt, True)}
        if R.random() < 0.5:
            return case("matmul", ins, "tensordot", [T("a"), T("b"), nc])
        da = list(range(len(sa) - nc, len(sa)))
        db = list(range(nc))
        perm = list(range(nc))
        R.shuffle(perm)
        return case("matmul", ins, "tensordot", [T("a"), T("b"), [[da[i] for i in perm], [db[i] for i in perm]]])
    eq = ch(["bij,bjk->bik", "ij,jk", "i,i->", "ij->ji", "ii->i", "ii", "...ij,...jk->...ik", "bi,bi->b", "ij,ij->ij",
             "i,j->ij", "ijk->kji", "b...i,bi->b...", "ij,kj->ik", "iij->j", "ij,j->i", "abc,cd,de->abe"])
    sizes = {c: ri(0, 3) if R.random() < 0.1 else ri(1, 4) for c in "abcdeijk"}
    ell = rshape(ri(0, 2))
    lhs = eq.split("->")[0].split(",")
    ins, args = {}, []
    for idx, term in enumerate(lhs):
        sh = []
        for c in term.replace("...", "."):
            sh.extend(ell if c == "." else [sizes[c]])
        nm = "abcd"[idx]
        ins[nm] = make_input(sh, dt, True)
        args.append(T(nm))
    return case("matmul", ins, "einsum", [eq] + args)


