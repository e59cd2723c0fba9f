"""Fuzz case family "loss": the loss functions of torch.nn.functional (cross_entropy with class or
probability targets on N-D inputs, ignore_index, label_smoothing, weights; nll_loss; bce and
bce_with_logits with pos_weight; ctc_loss; margin/triplet/hinge/cosine losses; huber and smooth_l1
with beta 0; kl_div with log_target; poisson_nll; gaussian_nll; multilabel/multi margin), values and
gradients, with 0-size batches, 1-element dims, strided inputs and float64."""
from genlib import R, T, case, ch, fdt, make_input, numel, ri, rshape  # noqa: F401


def red():
    return ch(["mean", "sum", "none"])


def idx(shape, lo, hi):
    return {"shape": shape, "dtype": "index", "data": [ri(lo, hi) for _ in range(numel(shape))], "views": [], "grad": False}


def gen_loss():
    dt = fdt()
    N = 0 if R.random() < 0.06 else ri(1, 4)
    k = ch(["ce", "ce", "ce_p", "nll", "bce", "bce_logits", "ctc", "margin_ranking", "triplet", "huber", "smooth_l1",
            "kl_div", "poisson_nll", "gaussian_nll", "multilabel_margin", "multi_margin", "multilabel_soft_margin",
            "hinge", "soft_margin", "cosine_emb", "l1", "mse"])
    if k in ("ce", "ce_p", "nll"):
        C = ri(1, 5)
        extra = rshape(ri(0, 2), zero=0.05)
        unbatched = R.random() < 0.1
        xs = [C] if unbatched else [N, C] + extra
        if R.random() < 0.08:  # > 4096 logits: the composed path instead of the one-pass [N, C] form on wasm
            C, extra, unbatched = ri(60, 120), [], False
            xs = [ri(40, 80), C]
        ins = {"x": make_input(xs, dt, True, kind=ch(["normal", "normal", "special"]) if R.random() < 0.1 else "normal")}
        kw = {"reduction": red()}
        if R.random() < 0.4:
            ins["wt"] = make_input([C], dt, False, kind="pos")
            kw["weight"] = T("wt")
        if k == "ce_p":
            ins["t"] = make_input(xs, dt, False, kind="unit")
            ins["t"]["data"] = [abs(v) for v in ins["t"]["data"]]
            if R.random() < 0.5:
                kw["label_smoothing"] = ch([0.1, 0.3, 1.0])
            return case("loss", ins, "F.cross_entropy", [T("x"), T("t")], kw)
        tsh = [] if unbatched else [N] + extra
        ins["t"] = idx(tsh, 0, C - 1)
        if R.random() < 0.4:
            kw["ignore_index"] = ch([-100, 0, 1, -1])
            ins["t"]["data"] = [kw["ignore_index"] if R.random() < 0.4 else v for v in ins["t"]["data"]]
        if k == "ce" and R.random() < 0.5:
            kw["label_smoothing"] = ch([0.1, 0.25, 1.0])
        return case("loss", ins, "F.nll_loss" if k == "nll" else "F.cross_entropy", [T("x"), T("t")], kw)
    s = [N] + rshape(ri(0, 2), zero=0.05)
    if k in ("bce", "bce_logits"):
        ins = {"x": make_input(s, dt, True, kind="unit" if k == "bce" else "normal"),
               "t": make_input(s, dt, R.random() < 0.3, kind="unit")}
        if k == "bce":
            ins["x"]["data"] = [abs(v) if v != 0 else 0.5 for v in ins["x"]["data"]]
            if R.random() < 0.1:
                ins["x"]["data"] = [ch([0.0, 1.0, v]) for v in ins["x"]["data"]]
        ins["t"]["data"] = [abs(v) for v in ins["t"]["data"]]
        kw = {"reduction": red()}
        if R.random() < 0.3:
            ins["w"] = make_input(s[-1:] if R.random() < 0.5 else s, dt, False, kind="pos")
            kw["weight"] = T("w")
        if k == "bce_logits" and R.random() < 0.5:
            ins["pw"] = make_input(s[-1:], dt, False, kind="pos")
            kw["pos_weight"] = T("pw")
        return case("loss", ins, "F.binary_cross_entropy" if k == "bce" else "F.binary_cross_entropy_with_logits",
                    [T("x"), T("t")], kw)
    if k == "ctc":
        Tn, C = ri(1, 6), ri(2, 5)
        Nb = max(N, 1) if R.random() < 0.9 else 0
        blank = ch([0, C - 1])
        ins = {"lp": make_input([Tn, Nb, C], dt, True)}
        il = [ri(max(1, Tn - 2), Tn) for _ in range(Nb)]
        tl = [ri(0, min(3, il[j])) for j in range(Nb)]
        labels = [c for c in range(C) if c != blank]
        if R.random() < 0.5:
            ins["tg"] = {"shape": [Nb, max(tl + [0])], "dtype": "index", "data": [ch(labels) for _ in range(Nb * max(tl + [0]))],
                         "views": [], "grad": False}
        else:
            ins["tg"] = {"shape": [sum(tl)], "dtype": "index", "data": [ch(labels) for _ in range(sum(tl))], "views": [], "grad": False}
        kw = {"blank": blank, "reduction": red(), "zero_infinity": R.random() < 0.3}
        ins["lp"]["views"] = (ins["lp"]["views"] or []) + [["log_softmax", -1]]  # log-probabilities, as ctc wants
        return case("loss", ins, "F.ctc_loss", [T("lp"), T("tg"), il, tl], kw)
    if k == "margin_ranking":
        ins = {"a": make_input(s, dt, True), "b": make_input(s, dt, True), "y": make_input(s, dt, False)}
        ins["y"]["data"] = [ch([1.0, -1.0]) for _ in ins["y"]["data"]]
        return case("loss", ins, "F.margin_ranking_loss", [T("a"), T("b"), T("y")], {"margin": ch([0.0, 0.5]), "reduction": red()})
    if k == "triplet":
        D = ri(1, 4)
        sh = [N, D] if R.random() < 0.85 else [D]
        ins = {"a": make_input(sh, dt, True), "p": make_input(sh, dt, True), "n": make_input(sh, dt, True)}
        kw = {"margin": ch([1.0, 0.0, 2.0]), "p": ch([2, 1, 3]), "swap": R.random() < 0.4, "reduction": red()}
        if R.random() < 0.3:
            kw["eps"] = 1e-3
        return case("loss", ins, "F.triplet_margin_loss", [T("a"), T("p"), T("n")], kw)
    if k in ("huber", "smooth_l1", "l1", "mse"):
        ins = {"x": make_input(s, dt, True), "t": make_input(s if R.random() < 0.8 else s[-1:], dt, R.random() < 0.4)}
        if R.random() < 0.3:  # ties: x == t
            ins["t"] = dict(ins["x"], grad=ins["t"]["grad"])
        if k == "huber":
            return case("loss", ins, "F.huber_loss", [T("x"), T("t")], {"reduction": red(), "delta": ch([1.0, 0.5, 2.0])})
        if k == "smooth_l1":
            return case("loss", ins, "F.smooth_l1_loss", [T("x"), T("t")], {"reduction": red(), "beta": ch([1.0, 0.0, 0.5])})
        return case("loss", ins, "F." + k + "_loss", [T("x"), T("t")], {"reduction": red()})
    if k == "kl_div":
        lt = R.random() < 0.5
        ins = {"x": make_input(s, dt, True), "t": make_input(s, dt, R.random() < 0.4, kind="normal" if lt else "pos")}
        if not lt and R.random() < 0.3:
            ins["t"]["data"] = [ch([0.0, v]) for v in ins["t"]["data"]]
        return case("loss", ins, "F.kl_div", [T("x"), T("t")], {"reduction": ch(["mean", "sum", "batchmean", "none"]), "log_target": lt})
    if k == "poisson_nll":
        li = R.random() < 0.5
        ins = {"x": make_input(s, dt, True, kind="normal" if li else "pos"), "t": make_input(s, dt, False, kind="pos")}
        ins["t"]["data"] = [ch([0.0, 1.0, 3.0, v]) for v in ins["t"]["data"]]
        return case("loss", ins, "F.poisson_nll_loss", [T("x"), T("t")], {"log_input": li, "full": R.random() < 0.5, "reduction": red()})
    if k == "gaussian_nll":
        D = ri(1, 3)
        sh = [N, D]
        vs = ch([sh, [N, 1], [N]])
        ins = {"x": make_input(sh, dt, True), "t": make_input(sh, dt, R.random() < 0.4), "v": make_input(vs, dt, True, kind="pos")}
        if R.random() < 0.2:
            ins["v"]["data"] = [ch([0.0, v]) for v in ins["v"]["data"]]
        return case("loss", ins, "F.gaussian_nll_loss", [T("x"), T("t"), T("v")], {"full": R.random() < 0.5, "eps": ch([1e-6, 0.1]),
                                                                                   "reduction": red()})
    if k in ("multilabel_margin", "multi_margin", "multilabel_soft_margin"):
        C = ri(1, 5)
        sh = [N, C] if R.random() < 0.85 else [C]
        ins = {"x": make_input(sh, dt, True)}
        if k == "multilabel_margin":
            data = []
            for _ in range(numel(sh) // C if C else 0):
                row = [ri(0, C - 1) for _ in range(C)]
                cut = ri(0, C)
                if cut < C:
                    row[cut] = -1
                data.extend(row)
            ins["t"] = {"shape": sh, "dtype": "index", "data": data, "views": [], "grad": False}
            return case("loss", ins, "F.multilabel_margin_loss", [T("x"), T("t")], {"reduction": red()})
        if k == "multi_margin":
            ins["t"] = idx(sh[:-1], 0, C - 1)
            kw = {"p": ch([1, 2]), "margin": ch([1.0, 0.5]), "reduction": red()}
            if R.random() < 0.3:
                ins["w"] = make_input([C], dt, False, kind="pos")
                kw["weight"] = T("w")
            return case("loss", ins, "F.multi_margin_loss", [T("x"), T("t")], kw)
        ins["t"] = make_input(sh, dt, False)
        ins["t"]["data"] = [ch([0.0, 1.0]) for _ in ins["t"]["data"]]
        kw = {"reduction": red()}
        if R.random() < 0.3:
            ins["w"] = make_input([C], dt, False, kind="pos")
            kw["weight"] = T("w")
        return case("loss", ins, "F.multilabel_soft_margin_loss", [T("x"), T("t")], kw)
    if k in ("hinge", "soft_margin"):
        ins = {"x": make_input(s, dt, True), "y": make_input(s, dt, False)}
        ins["y"]["data"] = [ch([1.0, -1.0]) for _ in ins["y"]["data"]]
        if k == "hinge":
            return case("loss", ins, "F.hinge_embedding_loss", [T("x"), T("y")], {"margin": ch([1.0, 0.0, 2.0]), "reduction": red()})
        return case("loss", ins, "F.soft_margin_loss", [T("x"), T("y")], {"reduction": red()})
    # cosine_embedding
    D = ri(1, 4)
    sh = [N, D] if R.random() < 0.85 else [D]
    ins = {"a": make_input(sh, dt, True), "b": make_input(sh, dt, True), "y": make_input(sh[:-1], dt, False)}
    ins["y"]["data"] = [ch([1.0, -1.0]) for _ in ins["y"]["data"]]
    return case("loss", ins, "F.cosine_embedding_loss", [T("a"), T("b"), T("y")], {"margin": ch([0.0, 0.5]), "reduction": red()})
