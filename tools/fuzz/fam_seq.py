"""Fuzz case family "seq": F.embedding / F.embedding_bag, nn.RNN / LSTM / GRU (batch_first,
bidirectional, num_layers, initial states, packed sequences) and nn.MultiheadAttention (bool/float
masks, key padding, need_weights, average_attn_weights, batch_first, bias_kv, zero_attn), values
and gradients of inputs and parameters (spec.py's "mod:" calls)."""
from genlib import R, T, case, ch, fdt, make_input, numel, ri  # noqa: F401


def idx(shape, lo, hi, view=None):
    return {"shape": shape, "dtype": "index", "data": [ri(lo, hi) for _ in range(numel(shape))], "views": [], "grad": False}


def pin(shape, dt, scale=1.0):
    """A parameter input (contiguous; its gradient is the module parameter's)."""
    x = make_input(shape, dt, False, view="contig", kind="unit")
    x["data"] = [v * scale for v in x["data"]]  # scale a power of 2: float32-exact
    x["pgrad"] = True
    return x


def gen_embedding():
    dt = fdt()
    V, D = ri(1, 6), ri(1, 4)
    ish = ch([[ri(0, 4)], [ri(1, 3), ri(1, 3)], [], [0]])
    ins = {"i": idx(ish, 0, V - 1), "w": make_input([V, D], dt, True, view=ch(["contig", "contig", "t", "slice"]))}
    kw = {}
    if R.random() < 0.4:
        kw["padding_idx"] = ch([0, V - 1, -1])
    if R.random() < 0.3:
        kw["scale_grad_by_freq"] = True
    if R.random() < 0.3:
        kw["max_norm"] = ch([1.0, 0.5, 2.0])
        kw["norm_type"] = ch([2.0, 1.0])
        ins["w"]["views"] = []  # torch renorms the weight in place: a whole contiguous tensor
        ins["w"]["shape"] = [V, D]
        ins["w"]["data"] = ins["w"]["data"][:V * D] + [0.5] * max(0, V * D - len(ins["w"]["data"]))
        return case("seq", ins, "F.embedding", [T("i"), T("w")], kw, after=["^w"])
    return case("seq", ins, "F.embedding", [T("i"), T("w")], kw)


def gen_embedding_bag():
    dt = fdt()
    V, D = ri(1, 6), ri(1, 4)
    mode = ch(["sum", "mean", "max"])
    ins = {"w": make_input([V, D], dt, True, view=ch(["contig", "t", "slice"]))}
    kw = {"mode": mode}
    if R.random() < 0.5:
        B, L = ri(0, 3), ri(1, 4)
        ins["i"] = idx([B, L], 0, V - 1)
        args = [T("i"), T("w")]
        n = B * L
    else:
        n = ri(0, 7)
        ins["i"] = idx([n], 0, V - 1)
        nb = ri(1, 4)
        offs = sorted([0] + [ri(0, n) for _ in range(nb - 1)])
        ilo = R.random() < 0.3
        if ilo:
            offs = offs + [n]
            kw["include_last_offset"] = True
        ins["o"] = idx([len(offs)], 0, 0)
        ins["o"]["data"] = offs
        args = [T("i"), T("w"), T("o")]
    if mode == "sum" and R.random() < 0.5:
        ins["psw"] = make_input(ins["i"]["shape"], dt, True)
        kw["per_sample_weights"] = T("psw")
    if R.random() < 0.3:
        kw["padding_idx"] = ch([0, V - 1])
    # Tensile's signature has offsets third: a 2-D input passes null there (scale_grad_by_freq is
    # not supported by Tensile's embeddingBag: not generated)
    return case("seq", ins, "F.embedding_bag", args, kw, ts={"fn": "F.embedding_bag", "args": (args + [None])[:3], "kw": kw})


def gen_rnn():
    dt = fdt()
    kind = ch(["RNN", "LSTM", "GRU"])
    I, H = ri(1, 4), ri(1, 4)
    L = ch([1, 1, 2])
    bi = R.random() < 0.4
    bf = R.random() < 0.4
    bias = R.random() < 0.8
    ctor_kw = {"num_layers": L, "bidirectional": bi, "batch_first": bf, "bias": bias}
    if kind == "RNN" and R.random() < 0.4:
        ctor_kw["nonlinearity"] = "relu"
    G = {"RNN": 1, "LSTM": 4, "GRU": 3}[kind]
    ins, params = {}, {}
    for layer in range(L):
        for sfx in ([""] + (["_reverse"] if bi else [])):
            inp = I if layer == 0 else H * (2 if bi else 1)
            for nm, sh in (("weight_ih", [G * H, inp]), ("weight_hh", [G * H, H])) + ((("bias_ih", [G * H]), ("bias_hh", [G * H])) if bias else ()):
                key = f"{nm}_l{layer}{sfx}"
                iname = "p_" + key
                ins[iname] = pin(sh, dt, 0.5)
                params[key] = iname
    Tn, N = ri(1, 4), ri(0, 3) if R.random() < 0.1 else ri(1, 3)
    unbatched = R.random() < 0.1
    xs = [Tn, I] if unbatched else ([N, Tn, I] if bf else [Tn, N, I])
    ins["x"] = make_input(xs, dt, True, view=ch(["contig", "t", "slice", "narrow"]) if not unbatched else "contig")
    if ins["x"]["views"] and ins["x"]["views"][0][0] == "transpose" and False:
        pass
    args = [T("x")]
    D = 2 if bi else 1
    hs = [L * D, H] if unbatched else [L * D, N, H]
    pack = None
    if R.random() < 0.6:
        ins["h0"] = make_input(hs, dt, True)
        if kind == "LSTM":
            ins["c0"] = make_input(hs, dt, True)
            args.append({"$ts": ["h0", "c0"]})
        else:
            args.append(T("h0"))
    if not unbatched and N > 0 and R.random() < 0.3:
        es = R.random() < 0.5
        lens = [ri(1, Tn) for _ in range(N)]
        if es:
            lens = sorted(lens, reverse=True)
        pack = {"lengths": lens, "batch_first": bf, "enforce_sorted": es}
    c = case("seq", ins, "mod:" + kind, args)
    c["call"].update({"ctor": [I, H], "ctor_kw": ctor_kw, "params": params, "mdtype": dt})
    if pack:
        c["call"]["pack"] = pack
    return c


def gen_mha():
    dt = fdt()
    h = ch([1, 2])
    E = h * ri(1, 3)
    bf = R.random() < 0.4
    bias = R.random() < 0.8
    kv = za = False  # add_bias_kv / add_zero_attn: not supported by Tensile
    ctor_kw = {"bias": bias, "batch_first": bf, "add_bias_kv": kv, "add_zero_attn": za}
    ins = {"p_inw": pin([3 * E, E], dt), "p_outw": pin([E, E], dt)}
    params = {"in_proj_weight": "p_inw", "out_proj.weight": "p_outw"}
    if bias:
        ins["p_inb"], ins["p_outb"] = pin([3 * E], dt), pin([E], dt)
        params.update({"in_proj_bias": "p_inb", "out_proj.bias": "p_outb"})
    if kv:
        ins["p_bk"], ins["p_bv"] = pin([1, 1, E], dt), pin([1, 1, E], dt)
        params.update({"bias_k": "p_bk", "bias_v": "p_bv"})
    Lq, S = ri(1, 4), ri(1, 4)
    N = ri(1, 3)
    unbatched = R.random() < 0.1
    def sh(n):
        return [n, E] if unbatched else ([N, n, E] if bf else [n, N, E])
    self_attn = R.random() < 0.4
    ins["q"] = make_input(sh(Lq), dt, True)
    if self_attn:
        S = Lq
        args = [T("q"), T("q"), T("q")]
    else:
        ins["k"] = make_input(sh(S), dt, True)
        ins["v"] = make_input(sh(S), dt, True)
        args = [T("q"), T("k"), T("v")]
    kw = {"need_weights": R.random() < 0.7}
    if kw["need_weights"] and R.random() < 0.4:
        kw["average_attn_weights"] = False
    Sk = S
    if R.random() < 0.4:
        boolm = R.random() < 0.6
        ms = [Lq, Sk] if R.random() < 0.7 or unbatched else [N * h, Lq, Sk]
        if boolm:
            ins["am"] = make_input(ms, "bool", False)
            ins["am"]["data"] = [R.random() < 0.3 for _ in ins["am"]["data"]]
        else:
            ins["am"] = make_input(ms, dt, False)
            ins["am"]["data"] = [ch([0.0, -1.5, "-inf", 0.5]) for _ in ins["am"]["data"]]
        kw["attn_mask"] = T("am")
    if R.random() < 0.4:
        ins["kpm"] = make_input([Sk] if unbatched else [N, Sk], "bool", False)
        ins["kpm"]["data"] = [R.random() < 0.3 for _ in ins["kpm"]["data"]]
        kw["key_padding_mask"] = T("kpm")
    c = case("seq", ins, "mod:MultiheadAttention", args, kw)
    c["call"].update({"ctor": [E, h], "ctor_kw": ctor_kw, "params": params, "mdtype": dt})
    return c


def gen_seq():
    return ch([gen_embedding, gen_embedding_bag, gen_rnn, gen_rnn, gen_mha, gen_mha])()
