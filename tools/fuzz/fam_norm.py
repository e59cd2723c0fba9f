"""Fuzz case families "norm" (batch/instance/group/layer/local-response norm and F.normalize, the
functional forms and the modules with their running statistics as outputs) and "convt" (transposed
convolutions, F.fold/F.unfold, pixel_shuffle/unshuffle, channel_shuffle, F.pad with negative pads).
See tools/fuzz/README.md; spec.py describes the case format ("mod:" calls, {"$null": true})."""
from genlib import R, T, case, ch, fdt, make_input, ri, rshape  # noqa: F401

NULL = {"$null": True}


def pin(shape, dt, kind="unit"):
    """A module parameter input (contiguous; its gradient is the parameter's)."""
    x = make_input(shape, dt, False, view="contig", kind=kind)
    x["pgrad"] = True
    return x


def stats(C, dt):
    return (make_input([C], dt, False, view=ch(["contig", "contig", "slice", "narrow"])),
            make_input([C], dt, False, kind="pos", view=ch(["contig", "contig", "slice", "narrow"])))


def affine(ins, kw, C, dt, shape=None, views=("contig", "contig", "slice")):
    sh = shape or [C]
    if R.random() < 0.6:
        ins["w"] = make_input(sh, dt, True, view=ch(views))
        kw["weight"] = T("w")
    if R.random() < 0.6:
        ins["b"] = make_input(sh, dt, True, view=ch(views))
        kw["bias"] = T("b")


def gen_norm():
    if R.random() < 0.1:  # larger shapes: the wasm kernels' blocking and SIMD tails
        k = ch(["batch_norm", "group_norm", "instance_norm", "layer_norm", "normalize", "lrn"])
        dt = fdt()
        C = ch([1, 3, 8, 16])
        s = [ri(1, 4), C, ri(1, 20), ri(1, 20)]
        ins = {"x": make_input(s, dt, True, view=ch(["contig", "t", "slice", "narrow"])),
               "w": make_input([C], dt, True, view="contig"), "b": make_input([C], dt, True, view="contig")}
        if k == "batch_norm":
            ins["rm"], ins["rv"] = make_input([C], dt, False, view="contig"), make_input([C], dt, False, kind="pos", view="contig")
            return case("norm", ins, "F.batch_norm", [T("x"), T("rm"), T("rv"), T("w"), T("b"), R.random() < 0.8, 0.1, 1e-5],
                        after=["rm", "rv"])
        if k == "group_norm":
            return case("norm", ins, "F.group_norm", [T("x"), ch([g for g in (1, 2, 4, 8) if C % g == 0])], {"weight": T("w"), "bias": T("b")})
        if k == "instance_norm":
            return case("norm", ins, "F.instance_norm", [T("x")], {"weight": T("w"), "bias": T("b")})
        if k == "layer_norm":
            ns = s[-ri(1, 3):]
            ins["w"], ins["b"] = make_input(ns, dt, True, view="contig"), make_input(ns, dt, True, view="contig")
            return case("norm", ins, "F.layer_norm", [T("x"), ns], {"weight": T("w"), "bias": T("b")})
        del ins["w"], ins["b"]
        if k == "normalize":
            return case("norm", ins, "F.normalize", [T("x")], {"p": ch([1, 2, 3]), "dim": ri(-4, 3)})
        return case("norm", ins, "F.local_response_norm", [T("x"), ri(1, 5)])
    k = ch(["batch_norm", "batch_norm", "instance_norm", "group_norm", "layer_norm", "lrn", "normalize",
            "mod_bn", "mod_bn", "mod_in", "mod_gn", "mod_ln", "mod_lrn"])
    dt = fdt()
    eps = ch([1e-5, 1e-5, 1e-3, 0.5, 0.0])
    if k == "batch_norm":
        C = ri(1, 3)
        N = ch([1, 2, 3, 3, 0]) if R.random() < 0.95 else 0
        s = [N, C] + rshape(ri(0, 2), zero=0.03)
        if R.random() < 0.05:
            s = [N, C] if R.random() < 0.5 else [C]  # 2-D and the (refused) 1-D form
        ins = {"x": make_input(s, dt, True, kind=ch(["normal", "normal", "special"]) if R.random() < 0.1 else "normal")}
        training = R.random() < 0.6
        kw = {"training": training, "momentum": ch([0.1, 0.5, 0.0, 1.0]), "eps": eps}
        args = [T("x"), None, None]
        after = []
        if R.random() < 0.8 or not training:
            ins["rm"], ins["rv"] = stats(C + (1 if R.random() < 0.03 else 0), dt)
            if not training:  # torch 1.13's eval-mode backward reads strided running stats as contiguous
                for nm in ("rm", "rv"):
                    ins[nm] = make_input([C], dt, False, kind="pos", view="contig")
            args = [T("x"), T("rm"), T("rv")]
            after = ["rm", "rv"]
            if R.random() < 0.05:
                args[2] = None
                after = ["rm"]
        affine(ins, kw, C, dt, views=["contig"])  # torch 1.13's backward reads a strided weight as contiguous
        return case("norm", ins, "F.batch_norm", args, kw, after=after)
    if k == "instance_norm":
        C = ri(1, 3)
        N = ri(1, 3) if R.random() < 0.95 else 0
        s = [N, C] + rshape(ri(1, 2), zero=0.03)
        ins = {"x": make_input(s, dt, True)}
        kw = {"use_input_stats": R.random() < 0.7, "momentum": ch([0.1, 0.5]), "eps": eps}
        args, after = [T("x"), None, None], []
        if R.random() < 0.6 or not kw["use_input_stats"]:
            ins["rm"], ins["rv"] = stats(C, dt)
            args, after = [T("x"), T("rm"), T("rv")], ["rm", "rv"]
        affine(ins, kw, C, dt)
        return case("norm", ins, "F.instance_norm", args, kw, after=after)
    if k == "group_norm":
        G = ri(1, 3)
        C = G * ri(1, 3) if R.random() < 0.95 else G * 2 + 1
        N = ri(1, 3) if R.random() < 0.95 else 0
        s = [N, C] + rshape(ri(0, 2), zero=0.03)
        ins = {"x": make_input(s, dt, True)}
        kw = {"eps": eps}
        affine(ins, kw, C, dt)
        return case("norm", ins, "F.group_norm", [T("x"), G], kw)
    if k == "layer_norm":
        s = rshape(ri(1, 4), zero=0.04)
        nn_ = ri(1, len(s))
        ns = s[len(s) - nn_:]
        if R.random() < 0.04:
            ns = [n + 1 for n in ns]  # mismatch: refused
        ins = {"x": make_input(s, dt, True)}
        kw = {"eps": eps}
        affine(ins, kw, 0, dt, ns)
        return case("norm", ins, "F.layer_norm", [T("x"), ns], kw)
    if k == "lrn":
        s = [ri(1, 2), ri(1, 6)] + rshape(ri(0, 3), 1, 4)
        ins = {"x": make_input(s, dt, True)}
        size = ri(1, 5)
        args = [T("x"), size, ch([1e-4, 0.5, 1.0]), ch([0.75, 0.5, 2.0]), ch([1.0, 2.0, 0.5])]
        return case("norm", ins, "F.local_response_norm", args)
    if k == "normalize":
        nd = ri(1, 3)
        s = rshape(nd, zero=0.05)
        ins = {"x": make_input(s, dt, True, kind=ch(["normal", "normal", "unit"]))}
        if R.random() < 0.2:  # an all-zero line: eps keeps it finite
            ins["x"]["data"] = [0.0 if R.random() < 0.7 else v for v in ins["x"]["data"]]
        kw = {"p": ch([1, 2, 2, 3, 0.5, "inf", 1.5]), "dim": ri(-nd, nd - 1), "eps": ch([1e-12, 1e-12, 0.1])}
        return case("norm", ins, "F.normalize", [T("x")], kw)
    if k == "mod_bn":
        nsd = ri(1, 3)
        name = f"BatchNorm{nsd}d"
        C = ri(1, 3)
        N = ri(1, 3)
        sp = rshape(nsd - 1 if nsd == 1 and R.random() < 0.3 else nsd, 1, 3) if nsd > 1 else rshape(ch([0, 1]), 1, 4)
        s = [N, C] + sp
        if nsd == 1 and R.random() < 0.2:
            s = [N, C]
        ins = {"x": make_input(s, dt, True)}
        affine_ = R.random() < 0.7
        track = R.random() < 0.8
        momentum = ch([0.1, 0.3, None, None])
        ctor_kw = {"eps": eps, "momentum": NULL if momentum is None else momentum, "affine": affine_, "track_running_stats": track}
        params = {}
        if affine_:
            ins["p_w"], ins["p_b"] = pin([C], dt), pin([C], dt)
            params = {"weight": "p_w", "bias": "p_b"}
        c = case("norm", ins, "mod:" + name, [T("x")])
        ev = R.random() < 0.25
        c["call"].update({"ctor": [C], "ctor_kw": ctor_kw, "params": params, "mdtype": dt, "eval": ev, "repeat": ch([1, 2, 3]),
                          "bufs": ["running_mean", "running_var", "num_batches_tracked"] if track else []})
        return c
    if k == "mod_in":
        nsd = ri(1, 3)
        C = ri(1, 3)
        s = [ri(1, 3), C] + rshape(nsd, 1, 3)
        if R.random() < 0.15:
            s = s[1:]  # unbatched
        ins = {"x": make_input(s, dt, True)}
        affine_ = R.random() < 0.5
        track = R.random() < 0.6
        ctor_kw = {"eps": eps, "momentum": ch([0.1, 0.5]), "affine": affine_, "track_running_stats": track}
        params = {}
        if affine_:
            ins["p_w"], ins["p_b"] = pin([C], dt), pin([C], dt)
            params = {"weight": "p_w", "bias": "p_b"}
        c = case("norm", ins, f"mod:InstanceNorm{nsd}d", [T("x")])
        c["call"].update({"ctor": [C], "ctor_kw": ctor_kw, "params": params, "mdtype": dt, "eval": R.random() < 0.3,
                          "repeat": ch([1, 2]), "bufs": ["running_mean", "running_var", "num_batches_tracked"] if track else []})
        return c
    if k == "mod_gn":
        G = ri(1, 3)
        C = G * ri(1, 2)
        s = [ri(1, 2), C] + rshape(ri(0, 2), 1, 3)
        ins = {"x": make_input(s, dt, True)}
        aff = R.random() < 0.6
        params = {}
        if aff:
            ins["p_w"], ins["p_b"] = pin([C], dt), pin([C], dt)
            params = {"weight": "p_w", "bias": "p_b"}
        c = case("norm", ins, "mod:GroupNorm", [T("x")])
        c["call"].update({"ctor": [G, C], "ctor_kw": {"eps": eps, "affine": aff}, "params": params, "mdtype": dt})
        return c
    if k == "mod_ln":
        s = rshape(ri(1, 4), 1, 4)
        ns = s[len(s) - ri(1, len(s)):]
        ins = {"x": make_input(s, dt, True)}
        aff = R.random() < 0.5
        params = {}
        if aff:
            ins["p_w"], ins["p_b"] = pin(ns, dt), pin(ns, dt)
            params = {"weight": "p_w", "bias": "p_b"}
        c = case("norm", ins, "mod:LayerNorm", [T("x")])
        c["call"].update({"ctor": [ns], "ctor_kw": {"eps": eps, "elementwise_affine": aff}, "params": params, "mdtype": dt})
        return c
    s = [ri(1, 2), ri(1, 5)] + rshape(ri(1, 2), 1, 4)
    ins = {"x": make_input(s, dt, True)}
    c = case("norm", ins, "mod:LocalResponseNorm", [T("x")])
    # positional: Tensile's nn.LocalResponseNorm takes no options object
    c["call"].update({"ctor": [ri(1, 4), ch([1e-4, 0.3]), ch([0.75, 1.5]), ch([1.0, 2.0])], "mdtype": dt})
    return c


# ---------------------------------------------------------------- transposed conv, fold, shuffles, pad
def gen_convt():
    if R.random() < 0.06:
        return gen_bad_args()
    k = ch(["convt", "convt", "convt", "mod_convt", "fold", "unfold", "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "pad", "pad"])
    dt = fdt()
    if k == "mod_convt":  # nn.ConvTranspose{1,2,3}d called with an output_size (valid or not)
        nsd = ch([1, 2, 2, 3])
        g = ch([1, 1, 2])
        cin, cout = g * ri(1, 2), g * ri(1, 2)
        ks, sp = [ri(1, 3) for _ in range(nsd)], [ri(1, 4) for _ in range(nsd)]
        st, pd, dl = [ri(1, 3) for _ in range(nsd)], [ri(0, 2) for _ in range(nsd)], [ri(1, 2) for _ in range(nsd)]
        lo = [(sp[i] - 1) * st[i] - 2 * pd[i] + dl[i] * (ks[i] - 1) + 1 for i in range(nsd)]
        osz = [lo[i] + ri(0, st[i] - 1) if R.random() < 0.9 else lo[i] + ch([-1, st[i]]) for i in range(nsd)]
        bias = R.random() < 0.6
        ins = {"x": make_input([ri(1, 2), cin] + sp, dt, True), "p_w": pin([cin, cout // g] + ks, dt)}
        params = {"weight": "p_w"}
        if bias:
            ins["p_b"] = pin([cout], dt)
            params["bias"] = "p_b"
        c = case("convt", ins, f"mod:ConvTranspose{nsd}d", [T("x"), osz if R.random() < 0.7 else [1, 1] + osz])
        c["call"].update({"ctor": [cin, cout, ks], "ctor_kw": {"stride": st, "padding": pd, "groups": g, "bias": bias, "dilation": dl},
                          "params": params, "mdtype": dt})
        return c
    if k == "convt":
        nsd = ch([1, 2, 2, 3])
        g = ch([1, 1, 2, 3])
        cin, cout = g * ri(1, 2), g * ri(1, 2)
        N = ri(1, 2) if R.random() > 0.05 else 0
        ks = [ri(1, 3) for _ in range(nsd)]
        sp = [ri(1, 5) for _ in range(nsd)]
        stride = [ri(1, 3) for _ in range(nsd)]
        dil = [ri(1, 3) for _ in range(nsd)]
        pad = [ri(0, 3) for _ in range(nsd)]
        unb = R.random() < 0.1
        xs = ([] if unb else [N]) + [cin] + sp
        ins = {"x": make_input(xs, dt, True), "w": make_input([cin, cout // g] + ks, dt, True)}
        if R.random() < 0.03:
            ins["w"] = make_input([cin + 1, cout // g] + ks, dt, True)  # channel mismatch
        bias = R.random() < 0.6
        if bias:
            ins["b"] = make_input([cout + (1 if R.random() < 0.03 else 0)], dt, True)
        op = []
        for i in range(nsd):
            r = R.random()
            op.append(ri(0, max(stride[i], dil[i]) - 1) if r < 0.85 else ri(max(stride[i], dil[i]), 3))
        kw = {"stride": stride if R.random() < 0.8 else stride[0], "padding": pad, "output_padding": op, "groups": g,
              "dilation": dil if R.random() < 0.8 else dil[0]}
        return case("convt", ins, f"F.conv_transpose{nsd}d", [T("x"), T("w"), T("b") if bias else None], kw)
    if k in ("fold", "unfold"):
        ks = [ri(1, 3), ri(1, 3)]
        dil = [ri(1, 2), ri(1, 2)]
        pad = [ri(0, 2), ri(0, 2)]
        st = [ri(1, 3), ri(1, 3)]
        kw = {"dilation": dil if R.random() < 0.7 else dil[0], "padding": pad if R.random() < 0.7 else pad[0],
              "stride": st if R.random() < 0.7 else st[0]}
        C = ri(1, 3)
        if k == "unfold":
            sp = [ri(1, 6), ri(1, 6)]
            unb = R.random() < 0.15
            ins = {"x": make_input(([] if unb else [ri(1, 2)]) + [C] + sp, dt, True)}
            return case("convt", ins, "F.unfold", [T("x"), ks], kw)
        osz = [ri(1, 6), ri(1, 6)]
        d0 = kw["dilation"] if isinstance(kw["dilation"], list) else [kw["dilation"]] * 2
        p0 = kw["padding"] if isinstance(kw["padding"], list) else [kw["padding"]] * 2
        s0 = kw["stride"] if isinstance(kw["stride"], list) else [kw["stride"]] * 2
        L = 1
        for i in range(2):
            L *= max(0, (osz[i] + 2 * p0[i] - d0[i] * (ks[i] - 1) - 1) // s0[i] + 1)
        if R.random() < 0.08:
            L += 1  # wrong block count: refused
        unb = R.random() < 0.15
        ins = {"x": make_input(([] if unb else [ri(1, 2)]) + [C * ks[0] * ks[1], L], dt, True)}
        return case("convt", ins, "F.fold", [T("x"), osz, ks], kw)
    if k == "pixel_shuffle":
        r = ri(1, 3)
        lead = rshape(ri(0, 2), 1, 2)
        C = ri(1, 2) * r * r + (1 if R.random() < 0.05 else 0)
        ins = {"x": make_input(lead + [C, ri(1, 3), ri(1, 3)], dt, True)}
        return case("convt", ins, "F.pixel_shuffle", [T("x"), r])
    if k == "pixel_unshuffle":
        r = ri(1, 3)
        lead = rshape(ri(0, 2), 1, 2)
        H, W = r * ri(1, 2), r * ri(1, 2)
        if R.random() < 0.05:
            H += 1
        ins = {"x": make_input(lead + [ri(1, 2), H, W], dt, True)}
        return case("convt", ins, "F.pixel_unshuffle", [T("x"), r])
    if k == "channel_shuffle":
        g = ri(1, 3)
        C = g * ri(1, 3) + (1 if R.random() < 0.05 else 0)
        ins = {"x": make_input([ri(1, 2), C] + rshape(ri(1, 2), 1, 3), ch([dt, dt, "int32"]), True)}
        return case("convt", ins, "F.channel_shuffle", [T("x"), g])
    # pad: every mode, negative pads, 1-3 padded dims, batched or not
    mode = ch(["constant", "reflect", "replicate", "circular"])
    npd = ri(1, 3)
    lead = ch([[ri(1, 2), ri(1, 2)], [ri(1, 2)]]) if mode != "constant" else rshape(ri(0, 2), 1, 3)
    sp = rshape(npd, 1, 5, zero=0.03)
    s = lead + sp
    ins = {"x": make_input(s, ch([dt, dt, "int32"]) if mode == "constant" else dt, True)}
    n = npd if mode != "constant" else ri(1, len(s))
    pad = []
    for i in range(n):
        size = s[len(s) - 1 - i]
        for _ in range(2):
            r = R.random()
            pad.append(ri(-size, -1) if r < 0.25 and size > 0 else ri(0, size + 1) if r < 0.95 else ri(size + 1, size + 4))
    kw = {"mode": mode}
    if mode == "constant" and R.random() < 0.5:
        kw["value"] = ch([1.5, -2, 0.0])
    return case("convt", ins, "F.pad", [T("x"), pad], kw,
                ts={"fn": "F.pad", "args": [T("x"), pad, mode] + ([kw["value"]] if "value" in kw else [])})


def gen_bad_args():
    """One bad argument each (zero/negative sizes, strides, groups, factors): torch's error, or not."""
    dt = "float32"
    x4 = {"x": make_input([2, 4, 4, 4], dt, True, view="contig")}
    x3 = {"x": make_input([2, 4, 6], dt, True, view="contig")}
    w = {"w": make_input([4, 2, 3, 3], dt, True, view="contig")}
    k = ch(["ps0", "psneg", "pus0", "cs0", "csneg", "unfold_k0", "unfold_s0", "unfold_d0", "unfold_pneg", "fold_k0", "fold_s0",
            "convt_s0", "convt_pneg", "convt_g0", "convt_d0", "convt_opneg", "lrn0", "gn0", "gnneg", "norm_dim", "lrn_neg",
            "pad_odd", "pad_mode"])
    if k == "ps0":
        return case("convt", x4, "F.pixel_shuffle", [T("x"), 0])
    if k == "psneg":
        return case("convt", x4, "F.pixel_shuffle", [T("x"), -2])
    if k == "pus0":
        return case("convt", x4, "F.pixel_unshuffle", [T("x"), ch([0, -2])])
    if k in ("cs0", "csneg"):
        return case("convt", x4, "F.channel_shuffle", [T("x"), 0 if k == "cs0" else -2])
    if k.startswith("unfold"):
        kw = {"kernel_size": 2, "dilation": 1, "padding": 0, "stride": 1}
        kw[{"unfold_k0": "kernel_size", "unfold_s0": "stride", "unfold_d0": "dilation", "unfold_pneg": "padding"}[k]] = ch([0, -1])
        ks = kw.pop("kernel_size")
        return case("convt", x4, "F.unfold", [T("x"), ks], kw)
    if k.startswith("fold"):
        ins = {"x": make_input([1, 4, 9], dt, True, view="contig")}
        return case("convt", ins, "F.fold", [T("x"), [4, 4], 0 if k == "fold_k0" else 2], {"stride": 0 if k == "fold_s0" else 1})
    if k.startswith("convt"):
        kw = {"stride": 1, "padding": 0, "output_padding": 0, "groups": 1, "dilation": 1}
        key = {"convt_s0": "stride", "convt_pneg": "padding", "convt_g0": "groups", "convt_d0": "dilation", "convt_opneg": "output_padding"}[k]
        kw[key] = ch([0, -1])
        return case("convt", x4 | w, "F.conv_transpose2d", [T("x"), T("w"), None], kw)
    if k in ("lrn0", "lrn_neg"):
        return case("convt", x4, "F.local_response_norm", [T("x"), 0 if k == "lrn0" else -1])
    if k in ("gn0", "gnneg"):
        return case("convt", x4, "F.group_norm", [T("x"), 0 if k == "gn0" else -2])
    if k == "norm_dim":
        return case("convt", x3, "F.normalize", [T("x")], {"dim": ch([3, -4])})
    if k == "pad_odd":
        return case("convt", x3, "F.pad", [T("x"), [1, 1, 1]], {"mode": "constant"}, ts={"fn": "F.pad", "args": [T("x"), [1, 1, 1], "constant"]})
    return case("convt", x3, "F.pad", [T("x"), [1, 1], ch(["reflect", "replicate", "circular"])],
                ts=None) if False else case("convt", x3, "F.pad", [T("x"), [1, 1]], {"mode": "bogus"},
                                            ts={"fn": "F.pad", "args": [T("x"), [1, 1], "bogus"]})
