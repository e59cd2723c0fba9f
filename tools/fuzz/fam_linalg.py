"""Fuzz case family "linalg": torch.linalg (solve, inv, det, slogdet, cholesky, qr, eigh, svd, lstsq,
norms, pinv, matrix_rank, cross, multi_dot) on strided, batched, 0-size and float64 inputs, values and
gradients. Matrices are made well conditioned (a diagonal shift) where the op needs an inverse;
eigen-/singular vectors are compared after Tensile's sign rule (spec.py's `signfix`)."""
from genlib import R, T, case, ch, fdt, make_input, numel, ri  # noqa: F401


def mat_data(b, n, m, kind):
    """Row-major data of a [*b, n, m] batch: random, SPD (symmetric positive definite) or shifted."""
    out = []
    for _ in range(numel(b)):
        a = [[ri(-16, 16) / 8 for _ in range(m)] for _ in range(n)]
        if kind == "shift":
            for i in range(min(n, m)):
                a[i][i] += ch([1, -1]) * (n + 1.5)
        elif kind in ("spd", "sym"):
            s = [[sum(a[i][k] * a[j][k] for k in range(m)) / m + (i == j) * (1.0 if kind == "spd" else 0) for j in range(n)]
                 for i in range(n)]
            if kind == "sym":
                s = [[s[i][j] - (n / 2 if i == j else 0) for j in range(n)] for i in range(n)]
            a = s
        out.extend(round(x * 256) / 256 for row in a for x in row)  # float32-exact
    return out


def minput(b, n, m, dt, kind="rand", grad=True, view=None):
    view = view or ch(["contig", "contig", "t", "slice", "narrow", "expand"])
    if kind in ("spd", "sym") and view in ("slice", "narrow"):
        view = "contig"
    shape = list(b) + [n, m]
    if view == "t" and kind not in ("spd", "sym"):
        x = make_input(list(b) + [m, n], dt, grad, view="contig", data=mat_data(b, m, n, kind))
        x["views"] = [["transpose", -2, -1]]
        return x
    if view == "expand" and b:
        x = make_input([1] + [n, m], dt, grad, view="contig", data=mat_data([1], n, m, kind))
        x["views"] = [["expand", shape]]
        return x
    if view in ("slice", "narrow"):
        # the viewed matrix's data must be the conditioned one: embed it in a larger base, the view picks it out
        x = make_input(shape, dt, grad, view=view)
        return _embed(x, mat_data(b, n, m, kind), shape)
    return make_input(shape, dt, grad, view="contig", data=mat_data(b, n, m, kind))


def _embed(x, data, shape):
    """Writes `data` (row-major over `shape`) into base x at the positions its single index/narrow view selects."""
    import torch  # the generator runs with torch; only used to map view positions
    from spec import apply_views
    base = torch.arange(numel(x["shape"]), dtype=torch.float64).reshape(x["shape"])
    pos = apply_views(base, x["views"]).reshape(-1).long().tolist()
    full = list(x["data"])
    for p, v in zip(pos, data):
        full[p] = v
    x["data"] = full
    assert len(pos) == numel(shape)
    return x


def gen_linalg():
    dt = fdt()
    b = ch([[], [], [2], [ri(1, 3)], [2, 1], [0]])
    r = R.random()
    n = ri(1, 4) if r < 0.8 else ri(5, 8) if r < 0.95 else 0  # a few larger matrices (blocked paths)
    k = ch(["solve", "inv", "det", "slogdet", "cholesky", "qr", "eigh", "eigvalsh", "svd", "svdvals", "lstsq",
            "matrix_norm", "vector_norm", "pinv", "matrix_rank", "cross", "multi_dot", "solve", "det", "inv_ex"])
    if k == "solve":
        left = R.random() < 0.75
        ins = {"A": minput(b, n, n, dt, "shift")}
        vec = R.random() < 0.25 and not b and left
        bb = b if R.random() < 0.7 else ch([[], [3], [1]]) + b[len(b):]
        m = ri(1, 3)
        if vec:
            ins["B"] = make_input([n], dt, True)
        else:
            ins["B"] = make_input(list(bb) + ([n, m] if left else [m, n]), dt, True)
        return case("linalg", ins, "linalg.solve", [T("A"), T("B")], {"left": left} if not left or R.random() < 0.3 else {})
    if k in ("inv", "det", "slogdet", "inv_ex"):
        kind = ch(["shift", "shift", "rand"])
        ins = {"A": minput(b, n, n, dt, kind)}
        fn = {"inv": "linalg.inv", "det": "linalg.det", "slogdet": "linalg.slogdet", "inv_ex": "linalg.inv_ex"}[k]
        return case("linalg", ins, fn, [T("A")])
    if k == "cholesky":
        ins = {"A": minput(b, n, n, dt, "spd")}
        return case("linalg", ins, "linalg.cholesky", [T("A")], {"upper": R.random() < 0.5})
    if k == "qr":
        m = ri(1, 4)
        ins = {"A": minput(b, n, m, dt, "rand")}
        mode = ch(["reduced", "complete", "r"])
        if mode == "complete" and n > m:
            mode = "reduced"  # torch: complete mode's gradient is defined only for m >= n
        return case("linalg", ins, "linalg.qr", [T("A"), mode])
    if k in ("eigh", "eigvalsh"):
        ins = {"A": minput(b, n, n, dt, ch(["spd", "sym"]))}
        kw = {"UPLO": ch(["L", "U"])} if R.random() < 0.5 else {}
        c = case("linalg", ins, "linalg." + k, [T("A")], kw)
        if k == "eigh":
            c["signfix"] = "eigh"
        return c
    if k in ("svd", "svdvals"):
        m = ri(1, 4)
        ins = {"A": minput(b, n, m, dt, "rand")}
        if k == "svdvals":
            return case("linalg", ins, "linalg.svdvals", [T("A")])
        c = case("linalg", ins, "linalg.svd", [T("A")], {"full_matrices": False})
        c["signfix"] = "svd"
        return c
    if k == "lstsq":
        m = ri(1, 4)
        nn_ = max(n, 1) + ri(0, 2)
        ins = {"A": minput(b, nn_, m, dt, "rand"), "B": make_input(list(b) + [nn_, ri(1, 3)], dt, True)}
        return case("linalg", ins, "linalg.lstsq", [T("A"), T("B")])
    if k == "matrix_norm":
        m = ri(1, 4)
        ins = {"A": minput(b, n, m, dt, "rand")}
        ordv = ch(["fro", "nuc", 1, -1, 2, -2, "inf", "-inf"])
        return case("linalg", ins, "linalg.matrix_norm", [T("A"), ordv, [-2, -1], R.random() < 0.3])
    if k == "vector_norm":
        s = list(b) + [n, ri(0, 3)]
        ins = {"x": make_input(s, dt, True, kind=ch(["normal", "normal", "special"]))}
        ordv = ch([2, 1, 0, 3, 0.5, "inf", "-inf", -1, 2.5])
        nd = len(s)
        dim = ch([None, -1, [0, -1] if nd >= 2 else -1])
        return case("linalg", ins, "linalg.vector_norm", [T("x"), ordv, dim, R.random() < 0.3])
    if k == "pinv":
        m = ri(1, 4)
        ins = {"A": minput(b, n, m, dt, ch(["rand", "shift"]))}
        return case("linalg", ins, "linalg.pinv", [T("A")])
    if k == "matrix_rank":
        m = ri(1, 4)
        ins = {"A": minput(b, n, m, dt, "rand", grad=False, view="contig")}
        if R.random() < 0.4 and n >= 2:  # a repeated row: rank deficient
            d = ins["A"]["data"]
            ins["A"]["views"] = []
            ins["A"]["shape"] = list(b) + [n, m]
            for bi in range(numel(b)):
                off = bi * n * m
                d[off + m: off + 2 * m] = d[off: off + m]
        return case("linalg", ins, "linalg.matrix_rank", [T("A")])
    if k == "cross":
        s = list(b) + [3] + ([ri(1, 3)] if R.random() < 0.4 else [])
        dim = len(b) if len(s) > len(b) + 1 else -1
        ins = {"a": make_input(s, dt, True), "b": make_input(s if R.random() < 0.7 else s[-(len(s) - len(b)):], dt, True)}
        return case("linalg", ins, "linalg.cross", [T("a"), T("b")], {"dim": dim} if dim != -1 or R.random() < 0.5 else {},
                    ts={"fn": "linalg.cross", "args": [T("a"), T("b"), dim]})
    # multi_dot
    ndims = [ri(1, 4) for _ in range(ri(3, 5))]
    names, ins = [], {}
    for j in range(len(ndims) - 1):
        nm = f"m{j}"
        ins[nm] = make_input([ndims[j], ndims[j + 1]], dt, True, view=ch(["contig", "t", "slice"]))
        names.append(nm)
    if R.random() < 0.3:
        ins["m0"] = make_input([ndims[1]], dt, True)
    return case("linalg", ins, "linalg.multi_dot", [{"$ts": names}])
