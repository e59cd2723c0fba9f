"""Fuzz case families: indexing, shapes and padding, conv, pooling, interpolate, nn.functional, and
larger shapes ("big": the wasm kernels' SIMD tails, blocking and thread splits)."""
from genlib import R, T, bshape, case, ch, fdt, make_input, numel, rdims, ri, rshape  # noqa: F401

# ---------------------------------------------------------------- indexing
def gen_index():
    nd = ri(1, 3)
    s = rshape(nd, zero=0.05)
    dt = ch(["float32", "float32", "float64", "int32"])
    d = ri(-nd, nd - 1)
    n = s[d]
    x = make_input(s, dt, True)
    k = ch(["gather", "scatter", "scatter_add", "index_select", "index_add", "index_copy", "masked_fill", "masked_select",
            "take", "nonzero", "index_t", "index_fill", "scatter_s", "take_along_dim", "index_put", "scatter_reduce",
            "where1", "argwhere"])
    oob = R.random() < 0.06
    if k in ("gather", "take_along_dim"):
        ish = [ri(0, 3) if i == (d % nd) else ri(1, si) if si > 0 else 0 for i, si in enumerate(s)]
        hi = n + 1 if oob else n
        ins = {"x": x, "i": {"shape": ish, "dtype": "index",
                             "data": [ri(0, hi - 1) if hi > 0 else 0 for _ in range(numel(ish))], "views": [], "grad": False}}
        if k == "take_along_dim":
            ish = [ri(0, 3) if i == (d % nd) else (1 if R.random() < 0.3 else si) for i, si in enumerate(s)]
            ins["i"] = {"shape": ish, "dtype": "index", "data": [ri(0, hi - 1) if hi > 0 else 0 for _ in range(numel(ish))],
                        "views": [], "grad": False}
            return case("index", ins, "take_along_dim", [T("x"), T("i"), d])
        return case("index", ins, "gather", [T("x"), d, T("i")])
    if k in ("scatter", "scatter_add", "scatter_s", "scatter_reduce"):
        ish = [ri(0, 3) if i == (d % nd) else ri(0, si) for i, si in enumerate(s)]
        hi = n + 1 if oob else n
        idata = [ri(0, hi - 1) if hi > 0 else 0 for _ in range(numel(ish))]
        ins = {"x": x, "i": {"shape": ish, "dtype": "index", "data": idata, "views": [], "grad": False},
               "src": make_input([a + ri(0, 1) for a in ish], dt, True, view="contig")}
        if k == "scatter_s":
            return case("index", ins | {"src": make_input([1], dt)}, "scatter", [T("x"), d, T("i"), ch([1.5, -2])])
        if k == "scatter_reduce":
            return case("index", ins, "scatter_reduce", [T("x"), d, T("i"), T("src"), ch(["sum", "prod", "mean", "amax", "amin"])],
                        {"include_self": R.random() < 0.5})
        if k == "scatter" and R.random() < 0.3:
            return case("index", ins, "scatter", [T("x"), d, T("i"), T("src")], {"reduce": ch(["add", "multiply"])})
        return case("index", ins, k, [T("x"), d, T("i"), T("src")])
    if k in ("index_select", "index_add", "index_copy", "index_fill"):
        m = ri(0, 4)
        hi = n + 1 if oob else n
        idata = [ri(-hi if R.random() < 0.2 else 0, hi - 1) if hi > 0 else 0 for _ in range(m)]
        if k == "index_copy":
            idata = R.sample(range(n), min(m, n)) if n > 0 else []
        ins = {"x": x, "i": {"shape": [len(idata)], "dtype": "index", "data": idata, "views": [], "grad": False}}
        if k == "index_select":
            return case("index", ins, k, [T("x"), d, T("i")])
        if k == "index_fill":
            return case("index", ins, k, [T("x"), d, T("i"), ch([0.5, -2])])
        ssh = list(s)
        ssh[d] = len(idata)
        ins["src"] = make_input(ssh, dt, True)
        kw = {"alpha": ch([1, 2, -0.5])} if k == "index_add" and R.random() < 0.4 and dt != "int32" else {}
        return case("index", ins, k, [T("x"), d, T("i"), T("src")], kw)
    if k in ("masked_fill", "masked_select"):
        ins = {"x": x, "m": make_input(bshape(s), "bool")}
        if k == "masked_fill":
            return case("index", ins, k, [T("x"), T("m"), ch([0.5, -3, "nan"])])
        return case("index", ins, k, [T("x"), T("m")])
    if k == "take":
        tot = numel(s)
        hi = tot + 1 if oob else tot
        ish = rshape(ri(0, 2))
        ins = {"x": x, "i": {"shape": ish, "dtype": "index", "data": [ri(-hi, hi - 1) if hi > 0 else 0 for _ in range(numel(ish))],
                             "views": [], "grad": False}}
        return case("index", ins, "take", [T("x"), T("i")])
    if k in ("nonzero", "argwhere", "where1"):
        ins = {"x": make_input(s, ch(["float32", "int32", "bool"]), False)}
        if ins["x"]["dtype"] == "float32":
            ins["x"]["data"] = [ch([0.0, 1.5, -0.0, "nan"]) for _ in ins["x"]["data"]]
        if k == "where1":
            return case("index", ins, "where", [T("x")])
        return case("index", ins, k, [T("x")])
    if k == "index_put":
        m = ri(0, 4)
        hi = s[0] + 1 if oob else s[0]
        idata = [ri(-hi, hi - 1) if hi > 0 else 0 for _ in range(m)]
        acc = R.random() < 0.5
        ins = {"x": make_input(s, dt, False), "i": {"shape": [m], "dtype": "index", "data": idata, "views": [], "grad": False},
               "v": make_input(bshape([m] + s[1:]), dt, False)}
        return case("index", ins, "index_put", [T("x"), [T("i")], T("v"), acc])
    # index with tensor + slices
    m = ri(0, 4)
    hi = s[0] + 1 if oob else s[0]
    idata = [ri(-hi, hi - 1) if hi > 0 else 0 for _ in range(m)]
    ins = {"x": x, "i": {"shape": [m], "dtype": "index", "data": idata, "views": [], "grad": False}}
    return case("index", ins, "index_select", [T("x"), 0, T("i")],
                ts={"fn": "m.index", "args": [T("x"), [T("i")]]}) if False else \
        case("index", ins, "take_idx", [T("x"), T("i")], ts={"fn": "m.index", "args": [T("x"), [T("i")]]})


# ---------------------------------------------------------------- shapes
def gen_shape():
    nd = ri(1, 4)
    s = rshape(nd, zero=0.08)
    dt = ch(["float32", "float32", "float64", "int32"])
    d = ri(-nd, nd - 1)
    k = ch(["cat", "stack", "split", "chunk", "flip", "roll", "repeat", "tile", "pad", "pad", "pad", "narrow", "tensor_split",
            "repeat_interleave", "rot90", "movedim", "unbind", "diag_embed", "tril", "triu", "diagonal", "flatten", "unflatten"])
    ins = {"x": make_input(s, dt, True)}
    if k in ("cat", "stack"):
        names = ["x"]
        for j in range(ri(0, 3)):
            sj = list(s)
            if k == "cat":
                sj[d] = ri(0, 3)
            if k == "cat" and R.random() < 0.1:
                sj = [0]  # legacy empty 1-D tensor
            nm = f"y{j}"
            ins[nm] = make_input(sj, ch([dt, dt, "float32", "float64"]), True)
            names.append(nm)
        return case("shape", ins, k, [{"$ts": names}, d if k == "cat" else ri(-nd - 1, nd)])
    if k == "split":
        arg = ri(1, 3) if R.random() < 0.5 else None
        if arg is None:
            parts, left = [], s[d]
            while left > 0:
                p = ri(0, left)
                parts.append(p)
                left -= p
            arg = parts + [0] * ri(0, 1)
        return case("shape", ins, "split", [T("x"), arg, d])
    if k == "chunk":
        return case("shape", ins, "chunk", [T("x"), ri(1, 4), d])
    if k == "tensor_split":
        arg = ri(1, 4) if R.random() < 0.5 else sorted(ri(-1, s[d] + 1) for _ in range(ri(0, 3)))
        return case("shape", ins, "tensor_split", [T("x"), arg, d])
    if k == "flip":
        return case("shape", ins, "flip", [T("x"), R.sample(range(nd), ri(0, nd))])
    if k == "roll":
        if R.random() < 0.3:
            return case("shape", ins, "roll", [T("x"), ri(-7, 7)])
        dims = R.sample(range(nd), ri(1, nd))
        return case("shape", ins, "roll", [T("x"), [ri(-7, 7) for _ in dims], dims])
    if k == "repeat":
        return case("shape", ins, "m.repeat", [T("x"), [ri(0, 3) for _ in range(nd + ri(0, 1))]])
    if k == "tile":
        return case("shape", ins, "tile", [T("x"), [ri(1, 3) for _ in range(ri(1, nd + 1))]])
    if k == "narrow":
        st = ri(-s[d], s[d]) if s[d] else 0
        st2 = st % s[d] if s[d] and st < 0 else st
        return case("shape", ins, "narrow", [T("x"), d, st, ri(0, s[d] - st2)])
    if k == "repeat_interleave":
        if R.random() < 0.5:
            return case("shape", ins, "repeat_interleave", [T("x"), ri(0, 3), d])
        ins["r"] = {"shape": [s[d]], "dtype": "index", "data": [ri(0, 3) for _ in range(s[d])], "views": [], "grad": False}
        return case("shape", ins, "repeat_interleave", [T("x"), T("r"), d])
    if k == "rot90" and nd >= 2:
        return case("shape", ins, "rot90", [T("x"), ri(-3, 5), R.sample(range(nd), 2)])
    if k == "movedim":
        src = R.sample(range(nd), ri(1, nd))
        dst = R.sample(range(nd), len(src))
        return case("shape", ins, "movedim", [T("x"), src, dst])
    if k == "unbind":
        return case("shape", ins, "unbind", [T("x"), d])
    if k == "diag_embed":
        return case("shape", ins, "diag_embed", [T("x"), ri(-2, 2)])
    if k in ("tril", "triu") and nd >= 2:
        return case("shape", ins, k, [T("x"), ri(-3, 3)])
    if k == "diagonal" and nd >= 2:
        a, b = R.sample(range(nd), 2)
        return case("shape", ins, "diagonal", [T("x"), ri(-3, 3), a, b])
    if k == "flatten":
        a = ri(0, nd - 1)
        return case("shape", ins, "flatten", [T("x"), a, ri(a, nd - 1)])
    if k == "unflatten" and s[d] in (0, 4, 6):
        sizes = {0: [0, -1] if False else [2, 0], 4: [2, 2], 6: ch([[2, 3], [-1, 2], [3, -1]])}[s[d]]
        return case("shape", ins, "unflatten", [T("x"), d, sizes])
    # pad
    mode = ch(["constant", "reflect", "replicate", "circular"])
    nd2 = ri(1, 3)
    if mode != "constant":
        s = [ri(1, 2)] + [ri(1, 2)] + rshape(nd2, 1, 5)
        ins = {"x": make_input(s, ch(["float32", "float64"]), True)}
    npad = ri(1, len(s)) if mode == "constant" else nd2
    pad = []
    for i in range(npad):
        size = s[len(s) - 1 - i]
        lim = size + 1
        pad += [ri(-size, lim), ri(-size, lim)]
    kw = {"mode": mode}
    if mode == "constant" and R.random() < 0.5:
        kw["value"] = ch([1.5, -2])
    return case("shape", ins, "F.pad", [T("x"), pad], kw,
                ts={"fn": "F.pad", "args": [T("x"), pad, mode] + ([kw["value"]] if "value" in kw else [])})


# ---------------------------------------------------------------- conv / pool / nn
def gen_conv():
    nsd = ch([1, 2, 2, 3])
    tr = R.random() < 0.35
    g = ch([1, 1, 2, 3])
    cin, cout = g * ri(1, 2), g * ri(1, 2)
    N = ri(1, 2) if R.random() > 0.05 else 0
    ks = [ri(1, 3) for _ in range(nsd)]
    sp = [ri(1, 6) for _ in range(nsd)]
    stride = [ri(1, 3) for _ in range(nsd)]
    dil = [ri(1, 2) for _ in range(nsd)]
    pad = [ri(0, 3) if R.random() < 0.85 else ri(4, 7) for _ in range(nsd)]
    dt = fdt()
    ins = {"x": make_input([N, cin] + sp, dt, True)}
    wshape = ([cin, cout // g] if tr else [cout, cin // g]) + ks
    ins["w"] = make_input(wshape, dt, True)
    bias = R.random() < 0.6
    if bias:
        ins["b"] = make_input([cout], dt, True)
    kw = {"stride": stride if R.random() < 0.7 else stride[0], "padding": pad, "dilation": dil, "groups": g}
    if tr:
        kw["output_padding"] = [ri(0, max(stride[i], dil[i]) - 1) if R.random() < 0.9 else ri(0, 3) for i in range(nsd)]
        name = f"conv_transpose{nsd}d"
    else:
        name = f"conv{nsd}d"
        if R.random() < 0.1 and all(x == 1 for x in stride):
            kw["padding"] = ch(["same", "valid"])
    return case("conv", ins, "F." + name, [T("x"), T("w"), T("b") if bias else None], kw)


def gen_pool():
    nsd = ch([1, 2, 2, 3])
    k = ch(["max", "avg", "adaptive_avg", "adaptive_max", "lp", "max"])
    if k == "lp" and nsd == 3:
        nsd = 2
    N, C = ri(1, 2), ri(1, 3)
    sp = [ri(1, 7) for _ in range(nsd)]
    dt = fdt()
    ins = {"x": make_input(([N] if R.random() < 0.8 else []) + [C] + sp, dt, True,
                           kind=ch(["distinct", "distinct", "normal", "special"]))}
    if k.startswith("adaptive"):
        out = [ri(1, 6) if R.random() < 0.9 else None for _ in range(nsd)]
        kw = {"return_indices": True} if k == "adaptive_max" and R.random() < 0.4 else {}
        return case("pool", ins, f"F.{k}_pool{nsd}d", [T("x"), out if nsd > 1 else out[0] or 1], kw)
    ks = [ri(1, 4) for _ in range(nsd)]
    kw = {"stride": [ri(1, 3) for _ in range(nsd)] if R.random() < 0.7 else None, "ceil_mode": R.random() < 0.4}
    if k == "lp":
        return case("pool", ins, f"F.lp_pool{nsd}d", [T("x"), ch([1, 2, 3]), ks], kw)
    kw["padding"] = [ri(0, ks[i] // 2) if R.random() < 0.9 else ri(0, ks[i]) for i in range(nsd)]
    if k == "max":
        kw["dilation"] = [ri(1, 2) for _ in range(nsd)]
        st = kw["stride"] or ks
        for i in range(nsd):  # torch 1.13 corrupts its heap on some empty max-pool windows: decide ourselves
            span = sp[i] + 2 * kw["padding"][i] - kw["dilation"][i] * (ks[i] - 1) - 1
            o = (-(-span // st[i]) if kw["ceil_mode"] else span // st[i]) + 1
            if kw["ceil_mode"] and o > 0 and (o - 1) * st[i] >= sp[i] + kw["padding"][i]:
                o -= 1
            if o <= 0 or kw["padding"][i] > ks[i] // 2:
                c = case("pool", ins, f"F.max_pool{nsd}d", [T("x"), ks], kw)
                c["skip_torch"] = "RuntimeError: (pre-checked) output size too small or pad > kernel/2"
                return c
            if span < 0:
                return gen_pool()
        return case("pool", ins, f"F.max_pool{nsd}d", [T("x"), ks], kw)
    kw["count_include_pad"] = R.random() < 0.5
    if nsd > 1 and R.random() < 0.3:
        kw["divisor_override"] = ri(1, 5)
    return case("pool", ins, f"F.avg_pool{nsd}d", [T("x"), ks], kw)


def gen_interp():
    mode = ch(["nearest", "nearest-exact", "linear", "bilinear", "bicubic", "trilinear", "area"])
    nsd = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}.get(mode, ri(1, 3))
    sp = [ri(1, 6) for _ in range(nsd)]
    ins = {"x": make_input([ri(1, 2), ri(1, 2)] + sp, fdt(), True)}
    kw = {"mode": mode}
    if R.random() < 0.5:
        kw["size"] = [ri(1, 9) for _ in range(nsd)]
    else:
        kw["scale_factor"] = [ch([0.5, 1.5, 2, 0.7, 3, 1.0]) for _ in range(nsd)]
        if R.random() < 0.3:
            kw["recompute_scale_factor"] = True
    if mode in ("linear", "bilinear", "bicubic", "trilinear"):
        kw["align_corners"] = R.random() < 0.5
        if mode in ("bilinear", "bicubic") and R.random() < 0.2:
            kw["antialias"] = True
    return case("interp", ins, "F.interpolate", [T("x")], kw)


def gen_nn():
    k = ch(["softmax", "log_softmax", "cross_entropy", "cross_entropy", "cross_entropy_p", "nll_loss", "layer_norm",
            "batch_norm", "group_norm", "softmin", "normalize", "glu", "bce_logits", "kl_div", "instance_norm"])
    dt = fdt()
    if k in ("softmax", "log_softmax", "softmin"):
        nd = ri(0, 4)
        s = rshape(nd, zero=0.05)
        ins = {"x": make_input(s, dt, True, kind=ch(["normal", "normal", "special"]))}
        return case("nn", ins, "F." + k, [T("x"), ri(-nd, nd - 1) if nd else ch([0, -1])])
    if k in ("cross_entropy", "nll_loss", "cross_entropy_p"):
        N, C = ri(0, 4) if R.random() < 0.1 else ri(1, 4), ri(1, 5)
        extra = rshape(ri(0, 2))
        ins = {"x": make_input([N, C] + extra if R.random() < 0.9 else [C], dt, True)}
        tsh = [N] + extra if len(ins["x"]["views"]) == 0 or True else []
        xs = [N, C] + extra
        if ins["x"]["shape"] == [C] and not ins["x"]["views"]:
            pass
        xshape_final = xs
        ins["x"] = make_input(xshape_final, dt, True)
        kw = {"reduction": ch(["mean", "sum", "none"])}
        if R.random() < 0.4:
            ins["wt"] = make_input([C], dt, False, kind="pos")
            kw["weight"] = T("wt")
        if k == "cross_entropy_p":
            ins["t"] = make_input(xs, dt, False, kind="unit")
            ins["t"]["data"] = [abs(v) for v in ins["t"]["data"]]
            if R.random() < 0.5:
                kw["label_smoothing"] = ch([0.1, 0.3])
            return case("nn", ins, "F.cross_entropy", [T("x"), T("t")], kw)
        ign = R.random() < 0.4
        hi = C + 1 if R.random() < 0.05 else C
        td = [ri(0, hi - 1) for _ in range(numel(tsh))]
        if ign:
            kw["ignore_index"] = ch([-100, 0, 1])
            td = [kw["ignore_index"] if R.random() < 0.3 else v for v in td]
        ins["t"] = {"shape": tsh, "dtype": "index", "data": td, "views": [], "grad": False}
        if k == "cross_entropy" and R.random() < 0.4:
            kw["label_smoothing"] = ch([0.1, 0.25])
        if k == "nll_loss":
            return case("nn", ins, "F.nll_loss", [T("x"), T("t")], kw)
        return case("nn", ins, "F.cross_entropy", [T("x"), T("t")], kw)
    if k == "layer_norm":
        s = rshape(ri(1, 4), zero=0.05)
        nn_ = ri(1, len(s))
        ns = s[len(s) - nn_:]
        ins = {"x": make_input(s, dt, True)}
        kw = {"eps": ch([1e-5, 1e-3])}
        if R.random() < 0.6:
            ins["w"] = make_input(ns, dt, True)
            kw["weight"] = T("w")
        if R.random() < 0.6:
            ins["b"] = make_input(ns, dt, True)
            kw["bias"] = T("b")
        return case("nn", ins, "F.layer_norm", [T("x"), ns], kw)
    if k in ("batch_norm", "instance_norm"):
        C = ri(1, 3)
        s = [ri(1, 3), C] + rshape(ri(0, 2))
        ins = {"x": make_input(s, dt, True), "rm": make_input([C], dt, False, view=ch(["contig", "slice", "narrow"])),
               "rv": make_input([C], dt, False, kind="pos", view=ch(["contig", "slice", "narrow"]))}
        training = R.random() < 0.6
        kw = {"eps": 1e-5}
        if k == "batch_norm":
            kw["training"] = training
            kw["momentum"] = ch([0.1, 0.5])
        else:
            kw["use_input_stats"] = training or R.random() < 0.5
        if R.random() < 0.5:
            ins["w"] = make_input([C], dt, True)
            kw["weight"] = T("w")
            ins["b"] = make_input([C], dt, True)
            kw["bias"] = T("b")
        after = ["rm", "rv"]
        return case("nn", ins, "F." + k, [T("x"), T("rm"), T("rv")], kw, after=after)
    if k == "group_norm":
        G = ri(1, 3)
        C = G * ri(1, 2)
        s = [ri(1, 3), C] + rshape(ri(0, 2))
        ins = {"x": make_input(s, dt, True)}
        kw = {"eps": 1e-5}
        if R.random() < 0.5:
            ins["w"] = make_input([C], dt, True)
            kw["weight"] = T("w")
            ins["b"] = make_input([C], dt, True)
            kw["bias"] = T("b")
        return case("nn", ins, "F.group_norm", [T("x"), G], kw)
    if k == "normalize":
        s = rshape(ri(1, 3), zero=0.05)
        ins = {"x": make_input(s, dt, True)}
        return case("nn", ins, "F.normalize", [T("x")], {"p": ch([1, 2, 3]), "dim": ri(-len(s), len(s) - 1)})
    if k == "glu":
        s = [2 * ri(1, 2) for _ in range(ri(1, 3))]
        return case("nn", {"x": make_input(s, dt, True)}, "F.glu", [T("x"), ri(-len(s), len(s) - 1)])
    if k == "bce_logits":
        s = rshape(ri(0, 3))
        ins = {"x": make_input(s, dt, True), "t": make_input(s, dt, False, kind="unit")}
        kw = {"reduction": ch(["mean", "sum", "none"])}
        if R.random() < 0.4:
            ins["pw"] = make_input(s[-1:], dt, False, kind="pos")
            kw["pos_weight"] = T("pw")
        return case("nn", ins, "F.binary_cross_entropy_with_logits", [T("x"), T("t")], kw)
    s = rshape(ri(1, 3))
    ins = {"x": make_input(s, dt, True), "t": make_input(s, dt, False, kind="pos")}
    return case("nn", ins, "F.kl_div", [T("x"), T("t")], {"reduction": ch(["mean", "sum", "batchmean", "none"]),
                                                          "log_target": R.random() < 0.5})


def gen_big():
    """Larger shapes: the wasm kernels' SIMD tails, blocking and thread splits."""
    k = ch(["matmul", "bmm", "conv2d", "conv1d", "reduce", "binary", "softmax", "maxpool", "avgpool", "sort", "scatter_add",
            "layer_norm", "cumsum", "unary", "conv_transpose2d", "index_select"])
    dt = ch(["float32", "float32", "float64"])
    if k in ("matmul", "bmm"):
        n, m, p = ri(1, 90), ri(1, 90), ri(1, 90)
        b = [ri(1, 4)] if k == "bmm" or R.random() < 0.4 else []
        ins = {"a": make_input(b + [n, m], dt, True, view=ch(["contig", "t", "slice", "narrow"])),
               "b": make_input(b + [m, p], dt, True, view=ch(["contig", "t", "slice", "expand"]))}
        return case("big", ins, "matmul", [T("a"), T("b")])
    if k in ("conv2d", "conv1d", "conv_transpose2d"):
        nsd = 1 if k == "conv1d" else 2
        g = ch([1, 1, 2, 4])
        cin, cout = g * ri(1, 4), g * ri(1, 4)
        sp = [ri(6, 24) for _ in range(nsd)]
        ks = [ri(1, 5) for _ in range(nsd)]
        tr = k == "conv_transpose2d"
        ins = {"x": make_input([ri(1, 3), cin] + sp, dt, True, view=ch(["contig", "t", "slice", "narrow"])),
               "w": make_input(([cin, cout // g] if tr else [cout, cin // g]) + ks, dt, True), "b": make_input([cout], dt, True)}
        stride = [ri(1, 3) for _ in range(nsd)]
        kw = {"stride": stride, "padding": [ri(0, 2) for _ in range(nsd)], "dilation": [ri(1, 2) for _ in range(nsd)], "groups": g}
        if tr:
            kw["output_padding"] = [ri(0, s - 1) for s in stride]
            return case("big", ins, "F.conv_transpose2d", [T("x"), T("w"), T("b")], kw)
        return case("big", ins, f"F.conv{nsd}d", [T("x"), T("w"), T("b")], kw)
    if k in ("maxpool", "avgpool"):
        ins = {"x": make_input([ri(1, 3), ri(1, 8), ri(8, 30), ri(8, 30)], dt, True,
                               view=ch(["contig", "t", "slice"]), kind="distinct" if k == "maxpool" else "normal")}
        ks = [ri(1, 4), ri(1, 4)]
        kw = {"stride": [ri(1, 3), ri(1, 3)], "padding": [ri(0, ks[0] // 2), ri(0, ks[1] // 2)], "ceil_mode": R.random() < 0.5}
        if k == "maxpool":
            return case("big", ins, "F.max_pool2d", [T("x"), ks], kw)
        kw["count_include_pad"] = R.random() < 0.5
        return case("big", ins, "F.avg_pool2d", [T("x"), ks], kw)
    s = [ri(1, 70), ri(1, 70)] + ([ri(1, 5)] if R.random() < 0.4 else [])
    nd = len(s)
    if k in ("reduce", "softmax", "cumsum", "layer_norm", "sort"):
        kind = "distinct" if k == "sort" else "normal"
        ins = {"x": make_input(s, dt, True, view=ch(["contig", "t", "permute", "slice", "narrow"]), kind=kind)}
        d = ri(-nd, nd - 1)
        if k == "reduce":
            name = ch(["sum", "mean", "amax", "var", "logsumexp", "prod", "norm", "max", "argmin"])
            if name in ("max", "argmin"):
                ins["x"] = make_input(s, dt, True, view=ch(["contig", "t", "slice"]), kind="distinct")
                return case("big", ins, name, [T("x"), d])
            if name == "prod":
                ins["x"]["data"] = [1 + v / 64 for v in ins["x"]["data"]]
            if name == "norm":
                return case("big", ins, "norm", [T("x"), 2, [d]])
            return case("big", ins, name, [T("x"), rdims(nd) if name != "logsumexp" else d])
        if k == "softmax":
            return case("big", ins, ch(["F.softmax", "F.log_softmax"]), [T("x"), d])
        if k == "cumsum":
            return case("big", ins, "cumsum", [T("x"), d])
        if k == "sort":
            return case("big", ins, "topk", [T("x"), ri(1, s[d]), d, R.random() < 0.5])
        ns = s[-ri(1, nd):]
        ins["w"] = make_input(ns, dt, True)
        ins["b"] = make_input(ns, dt, True)
        return case("big", ins, "F.layer_norm", [T("x"), ns], {"weight": T("w"), "bias": T("b")})
    if k == "binary":
        ins = {"a": make_input(s, dt, True, view=ch(["contig", "t", "slice", "expand", "permute"])),
               "b": make_input(bshape(s), ch([dt, "float32", "int32"]), True, view=ch(["contig", "t", "slice"]))}
        return case("big", ins, ch(["add", "mul", "sub", "div", "maximum", "atan2", "pow"]), [T("a"), T("b")])
    if k == "unary":
        ins = {"x": make_input(s, dt, True, view=ch(["contig", "t", "slice", "expand", "permute"]),
                               kind=ch(["normal", "pos"]))}
        return case("big", ins, ch(["exp", "tanh", "sigmoid", "sqrt", "log", "abs", "relu", "sin", "erf"]), [T("x")])
    if k == "scatter_add":
        d = ri(-nd, nd - 1)
        ish = list(s)
        ish[d] = ri(1, 2 * s[d])
        ins = {"x": make_input(s, dt, True), "src": make_input(ish, dt, True),
               "i": {"shape": ish, "dtype": "index", "data": [ri(0, s[d] - 1) for _ in range(numel(ish))], "views": [], "grad": False}}
        return case("big", ins, "scatter_add", [T("x"), d, T("i"), T("src")])
    d = ri(-nd, nd - 1)
    m = ri(1, 100)
    ins = {"x": make_input(s, dt, True, view=ch(["contig", "t", "slice"])),
           "i": {"shape": [m], "dtype": "index", "data": [ri(0, s[d] - 1) for _ in range(m)], "views": [], "grad": False}}
    return case("big", ins, "index_select", [T("x"), d, T("i")])


