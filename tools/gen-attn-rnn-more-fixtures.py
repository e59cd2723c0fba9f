"""PyTorch oracle for nn.MultiheadAttention beyond the packed projection (kdim/vdim other than
embed_dim with separate q/k/v projection weights, add_bias_kv, add_zero_attn, batch_first, every
pairing of key_padding_mask and attn_mask kinds, per-head weights, unbatched input), for
F.multi_head_attention_forward's separate weights and static_k/static_v, and for nn.LSTM with
proj_size (weight_hr_l{k}), RNN(nonlinearity='relu') and the cells with bias=False and unbatched
input, packed sequences included. Tests: test/nn-attn-more.test.ts, test/nn-rnn-proj.test.ts.
Run from the repository root with Debian's torch (1.13):

    /usr/bin/python3 tools/gen-attn-rnn-more-fixtures.py [--out DIR]

Writes fixtures/attn-rnn-more.json and fixtures/attn-rnn-more.pt (a torch.save checkpoint holding
the state dicts of one MultiheadAttention and one LSTM case, read back by the tests). Every case
records the module's constructor arguments (Tensile's option names), repr, state-dict keys, named
parameters in order, parameters (by torch name: the tests load them with loadStateDict), inputs,
outputs, the upstream gradient and the gradients of Σ output·upstream for the inputs, initial
states and every parameter. Tensors are {shape, dtype, data} (torchfix/fixio.py).

Masks: torch 1.13 reads a float key_padding_mask next to a bool attn_mask as bool (non-zero masks
out) and drops it next to a float attn_mask (masked_fill with a float mask); torch >= 2.0 adds both,
as Tensile does. For those two pairings the expected values are torch's for the sum of the two masks
passed as one float [N*heads, L, S] attn_mask (what torch 2 computes); every other pairing is torch
1.13's own call.
"""
import argparse
import os
import sys
import warnings

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
warnings.filterwarnings("ignore")

import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402
from torch.nn.utils import rnn as R  # noqa: E402
from torchfix.fixio import enc, write_json  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
torch.set_num_threads(1)
torch.set_default_dtype(torch.float32)

E, HEADS, L, S, N, KDIM, VDIM = 8, 2, 3, 4, 2, 5, 6
CAMEL = {"add_bias_kv": "addBiasKv", "add_zero_attn": "addZeroAttn", "batch_first": "batchFirst",
         "num_layers": "numLayers", "proj_size": "projSize"}


def camel(kwargs):
    return {CAMEL.get(k, k): v for k, v in kwargs.items()}


def params_of(m):
    return {k: enc(v) for k, v in m.state_dict().items()}


def grads_of(m):
    return {k: enc(p.grad) for k, p in m.named_parameters()}


def backward(outs, seed):
    g = torch.Generator().manual_seed(seed)
    ups = [torch.randn(o.shape, generator=g) for o in outs]
    sum((o * u).sum() for o, u in zip(outs, ups)).backward()
    return ups


# ---------- MultiheadAttention ----------

def make_masks(kind_kpm, kind_attn, batched, gen):
    """key_padding_mask [N, S] ([S] unbatched) and attn_mask [L, S] or [N*heads, L, S] of the given
    kinds ("bool", "float", "bool3", "float3" or None). Key 0 is never masked, so no row is empty."""
    n = N if batched else 1
    kpm = am = None
    if kind_kpm == "bool":
        kpm = torch.zeros(n, S, dtype=torch.bool)
        kpm[0, S - 1] = True
        kpm[n - 1, 2] = True
    elif kind_kpm == "float":
        kpm = torch.rand(n, S, generator=gen) * 2 - 1
    if kpm is not None and not batched:
        kpm = kpm[0]
    if kind_attn is not None:
        shape = (L, S) if not kind_attn.endswith("3") else (n * HEADS, L, S)
        if kind_attn.startswith("bool"):
            am = torch.rand(shape, generator=gen) > 0.6
            am[..., 0] = False
        else:
            am = torch.rand(shape, generator=gen) * 3 - 1.5
    return kpm, am


def torch2_masks(kpm, am, batched):
    """torch >= 2.0's reading of a float key_padding_mask beside an attn_mask: the two added, as one
    float [N*heads, L, S] attn_mask (both masks unpadded: bias_kv and zero-attention steps pad zero)."""
    if kpm is None or am is None or not kpm.is_floating_point():
        return kpm, am
    n = N if batched else 1
    a = am if am.is_floating_point() else torch.zeros(am.shape).masked_fill(am, float("-inf"))
    if a.dim() == 2:
        a = a.unsqueeze(0).expand(n * HEADS, L, S)
    k = kpm.reshape(n, 1, 1, S).expand(n, HEADS, 1, S).reshape(n * HEADS, 1, S)
    return None, a + k


def mha_case(name, kwargs, seed, masks=(None, None), batched=True, self_attn=False, call=None):
    torch.manual_seed(seed)
    m = nn.MultiheadAttention(E, HEADS, **kwargs).eval()
    with torch.no_grad():  # non-zero biases, so their gradients and use are visible
        for p in m.parameters():
            p.add_(torch.randn(p.shape) * 0.2)
    gen = torch.Generator().manual_seed(seed + 1)
    bf = kwargs.get("batch_first", False) and batched
    kd, vd = kwargs.get("kdim") or E, kwargs.get("vdim") or E

    def shaped(seq, feat):
        if not batched:
            return (seq, feat)
        return (N, seq, feat) if bf else (seq, N, feat)
    if self_attn:
        inputs = [torch.randn(shaped(L, E), generator=gen).requires_grad_()]
        q = k = v = inputs[0]
        s_len = L
    else:
        inputs = [torch.randn(shaped(L, E), generator=gen).requires_grad_(), torch.randn(shaped(S, kd), generator=gen).requires_grad_(),
                  torch.randn(shaped(S, vd), generator=gen).requires_grad_()]
        q, k, v = inputs
        s_len = S
    assert s_len == S or masks == (None, None)
    kpm, am = make_masks(masks[0], masks[1], batched, gen)
    call = dict(call or {})
    tk, ta = torch2_masks(kpm, am, batched)
    out, w = m(q, k, v, key_padding_mask=tk, attn_mask=ta, need_weights=call.get("needWeights", True),
               average_attn_weights=call.get("averageAttnWeights", True))
    outs = [out] if w is None else [out, w]
    ups = backward(outs, seed + 2)
    if kpm is not None:
        call["keyPaddingMask"] = enc(kpm)
    if am is not None:
        call["attnMask"] = enc(am)
    return {
        "name": name, "args": [E, HEADS], "kwargs": camel(kwargs), "repr": repr(m), "keys": list(m.state_dict().keys()),
        "paramNames": [k for k, _ in m.named_parameters()], "params": params_of(m), "selfAttention": self_attn,
        "call": call, "inputs": [enc(x) for x in inputs], "outputs": [enc(o) for o in outs], "upstream": [enc(u) for u in ups],
        "inputGrads": [enc(x.grad) for x in inputs], "paramGrads": grads_of(m),
    }


def mha_cases():
    all_kw = {"kdim": KDIM, "vdim": VDIM, "add_bias_kv": True, "add_zero_attn": True, "batch_first": True}
    cases = [
        mha_case("kdim 5, vdim 6", {"kdim": KDIM, "vdim": VDIM}, 10),
        mha_case("kdim 5, vdim 6, bias=False", {"kdim": KDIM, "vdim": VDIM, "bias": False}, 11),
        mha_case("kdim 5 only", {"kdim": KDIM}, 12, masks=("bool", "bool")),
        mha_case("kdim = vdim = embed_dim given: packed", {"kdim": E, "vdim": E}, 13),
        mha_case("add_bias_kv", {"add_bias_kv": True}, 14, masks=("bool", "float")),
        mha_case("add_zero_attn", {"add_zero_attn": True}, 15, masks=("bool", "bool3")),
        mha_case("add_bias_kv, add_zero_attn, bias=False, batch_first", {"add_bias_kv": True, "add_zero_attn": True, "bias": False, "batch_first": True}, 16),
        mha_case("self-attention, add_bias_kv, add_zero_attn, batch_first", {"add_bias_kv": True, "add_zero_attn": True, "batch_first": True}, 17, self_attn=True),
        mha_case("everything, per-head weights", all_kw, 18, masks=("bool", "float3"), call={"averageAttnWeights": False}),
        mha_case("everything, need_weights=False", all_kw, 19, masks=("float", None), call={"needWeights": False}),
        mha_case("kdim 5, vdim 6, unbatched, masks", {"kdim": KDIM, "vdim": VDIM}, 20, masks=("bool", "float"), batched=False),
        mha_case("everything, unbatched, 3-D mask", all_kw, 21, masks=("bool", "bool3"), batched=False),
        mha_case("everything, unbatched, float masks, per-head", all_kw, 22, masks=("float", "float3"), batched=False, call={"averageAttnWeights": False}),
        mha_case("add_bias_kv, dropout (eval)", {"add_bias_kv": True, "dropout": 0.3}, 23, masks=("bool", None)),
    ]
    seed = 30
    for kpm in (None, "bool", "float"):
        for am in (None, "bool", "float", "bool3", "float3"):
            cases.append(mha_case(f"everything, key_padding_mask {kpm}, attn_mask {am}", all_kw, seed, masks=(kpm, am)))
            seed += 1
    return cases


def functional_cases():
    """F.multi_head_attention_forward with separate weights (and bias_k/v, zero attention) and with
    static_k/static_v; tensors by name, the options naming them."""
    out = []

    def run(name, seed, build):
        gen = torch.Generator().manual_seed(seed)
        t, opts = build(gen)
        for x in t.values():
            x.requires_grad_(x.is_floating_point())
        kw = {k: (t[v] if isinstance(v, str) and v in t else v) for k, v in opts.items()}
        o, w = F.multi_head_attention_forward(t["query"], t["key"], t["value"], **kw)
        outs = [o] if w is None else [o, w]
        ups = backward(outs, seed + 1)
        grads = {k: enc(x.grad) for k, x in t.items() if x.grad is not None}
        out.append({"name": name, "tensors": {k: enc(x) for k, x in t.items()}, "opts": opts,
                    "outputs": [enc(o) for o in outs], "upstream": [enc(u) for u in ups], "grads": grads})

    def base(gen, kd, vd):
        r = lambda *s: torch.randn(s, generator=gen) * 0.5  # noqa: E731
        return {"query": r(L, N, E), "key": r(S, N, kd), "value": r(S, N, vd), "q_proj_weight": r(E, E), "k_proj_weight": r(E, kd),
                "v_proj_weight": r(E, vd), "in_proj_bias": r(3 * E), "out_proj_weight": r(E, E), "out_proj_bias": r(E)}

    common = {"embed_dim_to_check": E, "num_heads": HEADS, "in_proj_weight": None, "in_proj_bias": "in_proj_bias",
              "dropout_p": 0.0, "out_proj_weight": "out_proj_weight", "out_proj_bias": "out_proj_bias", "training": False,
              "use_separate_proj_weight": True, "q_proj_weight": "q_proj_weight", "k_proj_weight": "k_proj_weight", "v_proj_weight": "v_proj_weight"}

    def separate(gen):
        t = base(gen, KDIM, VDIM)
        t["bias_k"] = torch.randn(1, 1, E, generator=gen)
        t["bias_v"] = torch.randn(1, 1, E, generator=gen)
        am = torch.rand(N * HEADS, L, S, generator=gen) > 0.7
        am[..., 0] = False
        t["attn_mask"] = am
        kpm = torch.zeros(N, S, dtype=torch.bool)
        kpm[1, 3] = True
        t["key_padding_mask"] = kpm
        return t, {**common, "bias_k": "bias_k", "bias_v": "bias_v", "add_zero_attn": True, "attn_mask": "attn_mask",
                   "key_padding_mask": "key_padding_mask", "average_attn_weights": False}

    def static(gen):
        t = base(gen, KDIM, VDIM)
        t["static_k"] = torch.randn(N * HEADS, S + 1, E // HEADS, generator=gen)
        t["static_v"] = torch.randn(N * HEADS, S + 1, E // HEADS, generator=gen)
        kpm = torch.zeros(N, S + 1, dtype=torch.bool)
        kpm[0, 2] = True
        t["key_padding_mask"] = kpm
        return t, {**common, "bias_k": None, "bias_v": None, "add_zero_attn": True, "static_k": "static_k", "static_v": "static_v",
                   "key_padding_mask": "key_padding_mask"}

    run("separate weights, bias_k/bias_v, zero attention, 3-D mask", 50, separate)
    run("static_k/static_v, zero attention", 51, static)
    return out


# ---------- recurrent layers ----------

def rnn_case(name, kind, args, kwargs, in_shape, seed, hx=None, train_scale=1.0):
    torch.manual_seed(seed)
    cls = getattr(nn, kind)
    m = cls(*args, **kwargs)
    gen = torch.Generator().manual_seed(seed + 1)
    x = (torch.randn(in_shape, generator=gen) * train_scale).requires_grad_()
    states = [torch.randn(s, generator=gen).requires_grad_() for s in (hx or [])]
    arg = None if not states else (tuple(states) if kind.startswith("LSTM") else states[0])
    r = m(x, arg)
    if kind in ("RNNCell", "GRUCell"):
        outs = [r]
    elif kind == "LSTMCell":
        outs = list(r)
    elif kind == "LSTM":
        outs = [r[0], r[1][0], r[1][1]]
    else:
        outs = [r[0], r[1]]
    ups = backward(outs, seed + 2)
    return {
        "name": name, "kind": kind, "args": list(args), "kwargs": camel(kwargs), "repr": repr(m), "keys": list(m.state_dict().keys()),
        "paramNames": [k for k, _ in m.named_parameters()], "params": params_of(m), "input": enc(x), "hx": [enc(s) for s in states],
        "outputs": [enc(o) for o in outs], "upstream": [enc(u) for u in ups], "inputGrad": enc(x.grad),
        "hxGrads": [enc(s.grad) for s in states], "paramGrads": grads_of(m),
    }


def rnn_cases():
    return [
        rnn_case("LSTM proj_size 3, given states", "LSTM", [4, 6], {"proj_size": 3}, (5, 2, 4), 100, hx=[(1, 2, 3), (1, 2, 6)]),
        rnn_case("LSTM proj_size 2, 2 layers, bidirectional, batch_first", "LSTM", [4, 6], {"proj_size": 2, "num_layers": 2, "bidirectional": True, "batch_first": True}, (2, 5, 4), 101),
        rnn_case("LSTM proj_size 3, 2 layers, bias=False, given states", "LSTM", [4, 5], {"proj_size": 3, "num_layers": 2, "bias": False}, (4, 3, 4), 102, hx=[(2, 3, 3), (2, 3, 5)]),
        rnn_case("LSTM proj_size 2, bidirectional, unbatched, given states", "LSTM", [3, 4], {"proj_size": 2, "bidirectional": True}, (6, 3), 103, hx=[(2, 2), (2, 4)]),
        rnn_case("LSTM proj_size 1, 3 layers, bidirectional, given states", "LSTM", [2, 3], {"proj_size": 1, "num_layers": 3, "bidirectional": True}, (3, 2, 2), 104, hx=[(6, 2, 1), (6, 2, 3)]),
        rnn_case("LSTM proj_size 4 (hidden 5), batch_first, bias=False", "LSTM", [3, 5], {"proj_size": 4, "batch_first": True, "bias": False}, (3, 4, 3), 105),
        rnn_case("RNN relu, 2 layers, bidirectional, batch_first, given state", "RNN", [4, 5], {"nonlinearity": "relu", "num_layers": 2, "bidirectional": True, "batch_first": True}, (2, 4, 4), 110, hx=[(4, 2, 5)]),
        rnn_case("RNN relu, bias=False, unbatched", "RNN", [3, 4], {"nonlinearity": "relu", "bias": False}, (5, 3), 111),
        rnn_case("RNNCell relu, bias=False, given state", "RNNCell", [4, 5], {"nonlinearity": "relu", "bias": False}, (3, 4), 120, hx=[(3, 5)]),
        rnn_case("RNNCell relu, unbatched", "RNNCell", [4, 5], {"nonlinearity": "relu"}, (4,), 121),
        rnn_case("LSTMCell bias=False, unbatched, given states", "LSTMCell", [4, 3], {"bias": False}, (4,), 122, hx=[(3,), (3,)]),
        rnn_case("LSTMCell bias=False, batched", "LSTMCell", [4, 3], {"bias": False}, (2, 4), 123),
        rnn_case("GRUCell bias=False, given state", "GRUCell", [4, 3], {"bias": False}, (2, 4), 124, hx=[(2, 3)]),
        rnn_case("GRUCell unbatched, given state", "GRUCell", [4, 3], {}, (4,), 125, hx=[(3,)]),
    ]


def packed_case(name, kind, args, kwargs, lengths, enforce_sorted, seed, hx=None):
    torch.manual_seed(seed)
    m = getattr(nn, kind)(*args, **kwargs).eval()
    bf = kwargs.get("batch_first", False)
    gen = torch.Generator().manual_seed(seed + 1)
    T, B = max(lengths), len(lengths)
    x = torch.randn((B, T, args[0]) if bf else (T, B, args[0]), generator=gen).requires_grad_()
    states = [torch.randn(s, generator=gen).requires_grad_() for s in (hx or [])]
    pk = R.pack_padded_sequence(x, torch.tensor(lengths), batch_first=bf, enforce_sorted=enforce_sorted)
    arg = None if not states else (tuple(states) if kind == "LSTM" else states[0])
    out_pk, hn = m(pk, arg)
    out, lens = R.pad_packed_sequence(out_pk, batch_first=bf)
    outs = [out] + (list(hn) if kind == "LSTM" else [hn])
    ups = backward(outs, seed + 2)
    return {
        "name": name, "kind": kind, "args": list(args), "kwargs": camel(kwargs), "lengths": lengths, "enforceSorted": enforce_sorted,
        "params": params_of(m), "input": enc(x), "hx": [enc(s) for s in states], "outputPackedData": enc(out_pk.data),
        "outLengths": lens.tolist(), "outputs": [enc(o) for o in outs], "upstream": [enc(u) for u in ups],
        "inputGrad": enc(x.grad), "hxGrads": [enc(s.grad) for s in states], "paramGrads": grads_of(m),
    }


def packed_cases():
    return [
        packed_case("LSTM proj_size 2, 2 layers, bidirectional, batch_first, unsorted, given states", "LSTM", [3, 4],
                    {"proj_size": 2, "num_layers": 2, "bidirectional": True, "batch_first": True}, [2, 5, 3], False, 200, hx=[(4, 3, 2), (4, 3, 4)]),
        packed_case("LSTM proj_size 3, sorted", "LSTM", [3, 5], {"proj_size": 3}, [4, 4, 1], True, 201),
        packed_case("RNN relu, bidirectional, unsorted, given state", "RNN", [3, 4], {"nonlinearity": "relu", "bidirectional": True}, [1, 4, 2], False, 202, hx=[(2, 3, 4)]),
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"), help="output folder")
    args = ap.parse_args()
    mha, rnn = mha_cases(), rnn_cases()
    body = {"generator": "tools/gen-attn-rnn-more-fixtures.py", "torch": torch.__version__, "mha": mha,
            "functional": functional_cases(), "rnn": rnn, "packed": packed_cases()}
    # a checkpoint as torch.save writes it: the state dicts of one MultiheadAttention and one LSTM case
    ck_mha, ck_lstm = "everything, per-head weights", "LSTM proj_size 2, 2 layers, bidirectional, batch_first"
    body["checkpoint"] = {"file": "attn-rnn-more.pt", "mha": ck_mha, "lstm": ck_lstm}
    write_json(args.out, "attn-rnn-more.json", body)

    def sd(module, case):  # the module's own state_dict() (an OrderedDict with _metadata), holding the case's values
        module.load_state_dict({k: torch.tensor(v["data"], dtype=torch.float32).reshape(v["shape"]) for k, v in case["params"].items()})
        return module.state_dict()
    mha_m = nn.MultiheadAttention(E, HEADS, kdim=KDIM, vdim=VDIM, add_bias_kv=True, add_zero_attn=True, batch_first=True)
    lstm_m = nn.LSTM(4, 6, proj_size=2, num_layers=2, bidirectional=True, batch_first=True)
    ckpt = {"mha": sd(mha_m, next(c for c in mha if c["name"] == ck_mha)), "lstm": sd(lstm_m, next(c for c in rnn if c["name"] == ck_lstm))}
    path = os.path.join(args.out, "attn-rnn-more.pt")
    torch.save(ckpt, path)
    print("wrote", os.path.relpath(path), os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
