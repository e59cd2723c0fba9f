"""PyTorch oracle for the torch 1.13 names filled in by the api-gaps work: nn.functional's
*_with_indices pooling, logsigmoid, upsample*, conv_tbc, native_channel_shuffle and
multi_head_attention_forward; nn.SyncBatchNorm (single process), DataParallel, CrossMapLRN2d; the
torch.* aliases (range, angle, rsub, fill, put, embedding, grid_sampler, affine_grid_generator,
constant_pad_nd, adaptive_max_pool1d) and Tensor methods (addmm_ & co., type(), new, apply_, map_,
map2_). Tests in test/api-gaps.test.ts. Run from the repository root with Debian's torch (1.13):

    /usr/bin/python3 tools/gen-api-gaps-fixtures.py [--out DIR]

Writes fixtures/api-gaps.json (deterministic: inputs come from formulas and are written too).
Tensors are {shape, dtype, data} (NaN and infinities as the strings "nan", "inf", "-inf"; int64 as
int32). Every case is a dict of named tensors or plain values; the test reads them by name.

SyncBatchNorm refuses CPU input in PyTorch, so its expected values are F.batch_norm's in training
mode over the same [N, C, +] input (what SyncBatchNorm computes in one process), and the running
statistics after the step; convert_sync_batchnorm (which runs on CPU) gives the repr and state-dict
keys.
"""
import argparse
import json
import math
import os
import sys
import warnings

sys.dont_write_bytecode = True
warnings.filterwarnings("ignore", message="torch.range is deprecated")
warnings.filterwarnings("ignore", message=".*upsample.* is deprecated")
warnings.filterwarnings("ignore", message="nn.functional.upsample.*")
warnings.filterwarnings("ignore", message="NLLLoss2d has been deprecated")

import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402
from torchfix.fixio import enc, num  # noqa: E402,F401
import torch.nn.functional as F  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = {"generator": "tools/gen-api-gaps-fixtures.py", "torch": torch.__version__}
torch.set_num_threads(1)


def formula(shape, k, scale=1.0, dtype=torch.float32):
    n = math.prod(shape)
    i = torch.arange(n, dtype=torch.float64)
    return (scale * torch.sin(0.37 * i + 1.3 * k + 0.2) + 0.1 * torch.cos(1.7 * i)).reshape(shape).to(dtype)


def leaf(shape, k, scale=1.0, dtype=torch.float64):
    return formula(shape, k, scale, dtype).requires_grad_()


# ---- nn.functional ----

def pool_cases():
    x1, x2, x3 = formula([2, 3, 9], 1), formula([2, 2, 7, 6], 2), formula([1, 2, 5, 6, 4], 3)
    out = {"x1": enc(x1), "x2": enc(x2), "x3": enc(x3)}
    for name, (v, i) in {
        "max1": F.max_pool1d_with_indices(x1, 3, stride=2, padding=1),
        "max2": F.max_pool2d_with_indices(x2, 3, stride=2, padding=1, dilation=1, ceil_mode=True),
        "max3": F.max_pool3d_with_indices(x3, 2, stride=2),
        "amax1": F.adaptive_max_pool1d_with_indices(x1, 4),
        "amax2": F.adaptive_max_pool2d_with_indices(x2, (3, 4)),
        "amax3": F.adaptive_max_pool3d_with_indices(x3, (2, 3, 2)),
        "torchAmax1": torch.adaptive_max_pool1d(x1, 4),
    }.items():
        out[name] = {"values": enc(v), "indices": enc(i)}
    s2 = torch.tensor([[[0.3, 0.7], [0.1, 0.9]], [[0.5, 0.2], [0.8, 0.4]]])
    v, i = F.fractional_max_pool2d_with_indices(x2, 2, output_size=(4, 3), _random_samples=s2)
    out["frac2"] = {"samples": enc(s2), "values": enc(v), "indices": enc(i)}
    s3 = torch.tensor([[[0.3, 0.7, 0.2], [0.1, 0.9, 0.6]]])
    v, i = F.fractional_max_pool3d_with_indices(x3, 2, output_size=(3, 3, 2), _random_samples=s3)
    out["frac3"] = {"samples": enc(s3), "values": enc(v), "indices": enc(i)}
    return out


def functional_cases():
    x = formula([2, 6, 3, 2], 4, 3.0)
    img = leaf([1, 2, 3, 4], 5)
    up = F.upsample_bilinear(img, scale_factor=2)
    g = formula(up.shape, 6, 1.0, torch.float64)
    (up * g).sum().backward()
    tbc_in, tbc_w, tbc_b = leaf([7, 2, 3], 7), leaf([3, 3, 4], 8, 0.5), leaf([4], 9)
    tbc = torch.conv_tbc(tbc_in, tbc_w, tbc_b, 1)
    tg = formula(tbc.shape, 10, 1.0, torch.float64)
    (tbc * tg).sum().backward()
    return {
        "logsigmoid": {"x": enc(x), "y": enc(F.logsigmoid(x))},
        "shuffle": {"x": enc(x), "y": enc(torch.native_channel_shuffle(x, 3))},
        "upsample": {"x": enc(x), "nearest": enc(F.upsample(x, scale_factor=2)),
                     "nearestSize": enc(F.upsample_nearest(x, size=(4, 5))),
                     "linear": enc(F.upsample(x, size=(5, 3), mode="bilinear", align_corners=False))},
        "upsampleBilinear": {"x": enc(img), "y": enc(up), "g": enc(g), "grad": enc(img.grad),
                             "sized": enc(F.upsample_bilinear(img.detach(), size=(4, 7)))},
        "convTbc": {"input": enc(tbc_in), "weight": enc(tbc_w), "bias": enc(tbc_b), "pad": 1, "y": enc(tbc), "g": enc(tg),
                    "gradInput": enc(tbc_in.grad), "gradWeight": enc(tbc_w.grad), "gradBias": enc(tbc_b.grad)},
    }


def mha_cases():
    E, H, L, S, N = 6, 2, 3, 4, 2
    d = torch.float64
    w_in, b_in = formula([3 * E, E], 11, 0.4, d), formula([3 * E], 12, 0.1, d)
    w_out, b_out = formula([E, E], 13, 0.4, d), formula([E], 14, 0.1, d)
    q, k = formula([L, N, E], 15, 1.0, d), formula([S, N, E], 16, 1.0, d)
    v = formula([S, N, E], 17, 1.0, d)
    attn_bool = torch.tensor([[False, True, False, False], [False, False, True, False], [True, False, False, False]])
    attn_float = formula([N * H, L, S], 18, 0.5, d)
    kpm = torch.tensor([[False, False, False, True], [True, False, False, False]])
    bias_k, bias_v = formula([1, 1, E], 19, 0.3, d), formula([1, 1, E], 20, 0.3, d)
    kd, vd = 5, 3
    qw, kw, vw = formula([E, E], 21, 0.4, d), formula([E, kd], 22, 0.4, d), formula([E, vd], 23, 0.4, d)
    ks, vs = formula([S, N, kd], 24, 1.0, d), formula([S, N, vd], 25, 1.0, d)
    base = dict(embed_dim_to_check=E, num_heads=H, in_proj_weight=w_in, in_proj_bias=b_in, bias_k=None, bias_v=None,
                add_zero_attn=False, dropout_p=0.0, out_proj_weight=w_out, out_proj_bias=b_out, training=False)
    cases = {}

    def run(name, query, key, value, grad=True, **kw_):
        args = {**base, **kw_}
        qq = query.clone().requires_grad_(grad)
        o, w = F.multi_head_attention_forward(qq, key, value, **args)
        rec = {"out": enc(o), "weights": enc(w) if w is not None else None}
        if grad:
            g = formula(o.shape, 26, 1.0, d)
            (o * g).sum().backward()
            rec["g"] = enc(g)
            rec["gradQuery"] = enc(qq.grad)
        cases[name] = rec

    run("plain", q, k, v)
    run("masks", q, k, v, attn_mask=attn_bool, key_padding_mask=kpm)
    run("floatMask", q, k, v, attn_mask=attn_float, key_padding_mask=kpm, average_attn_weights=False)
    run("biasKv", q, k, v, bias_k=bias_k, bias_v=bias_v, add_zero_attn=True, attn_mask=attn_bool, key_padding_mask=kpm)
    run("separate", q, ks, vs, use_separate_proj_weight=True, q_proj_weight=qw, k_proj_weight=kw, v_proj_weight=vw)
    run("unbatched", q[:, 0], k[:, 0], v[:, 0], key_padding_mask=kpm[0])
    run("noWeights", q, k, v, need_weights=False, grad=False)
    sk, sv = formula([N * H, 5, E // H], 27, 1.0, d), formula([N * H, 5, E // H], 28, 1.0, d)
    run("static", q, k, v, static_k=sk, static_v=sv, add_zero_attn=True)
    # the inputs, for the test to rebuild
    inputs = {"wIn": enc(w_in), "bIn": enc(b_in), "wOut": enc(w_out), "bOut": enc(b_out), "q": enc(q), "k": enc(k),
              "v": enc(v), "attnBool": enc(attn_bool), "attnFloat": enc(attn_float), "kpm": enc(kpm), "biasK": enc(bias_k),
              "biasV": enc(bias_v), "sk": enc(sk), "sv": enc(sv), "qw": enc(qw), "kw": enc(kw), "vw": enc(vw), "ks": enc(ks), "vs": enc(vs), "E": E, "H": H}
    return {"inputs": inputs, "cases": cases}


# ---- nn layers ----

def layer_cases():
    out = {}
    # SyncBatchNorm, one process: F.batch_norm in training mode over [N, C, +]
    for name, shape in {"bn3": [4, 3, 5], "bn5": [2, 3, 2, 3, 2]}.items():
        x = formula(shape, 30 + len(shape), 2.0)
        w, b = formula([3], 40, 0.5) + 1, formula([3], 41, 0.3)
        rm, rv = torch.zeros(3), torch.ones(3)
        y = F.batch_norm(x, rm, rv, w, b, training=True, momentum=0.1, eps=1e-5)
        out[name] = {"x": enc(x), "weight": enc(w), "bias": enc(b), "y": enc(y), "runningMean": enc(rm), "runningVar": enc(rv)}
    net = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 1), torch.nn.BatchNorm2d(3),
                              torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.BatchNorm1d(3, momentum=None, affine=False)))
    conv = torch.nn.SyncBatchNorm.convert_sync_batchnorm(net)
    out["convert"] = {"repr": repr(conv), "keys": list(conv.state_dict().keys()),
                      "classes": [type(m).__name__ for m in conv.modules()]}
    out["syncRepr"] = repr(torch.nn.SyncBatchNorm(5, eps=1e-3, momentum=0.2))
    dp = torch.nn.DataParallel(torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1)))
    out["dataParallel"] = {"repr": repr(dp), "keys": list(dp.state_dict().keys())}
    # CrossMapLRN2d: forward and PyTorch's (hand-written) backward, several sizes and channel counts
    lrn = []
    for size, C, alpha, beta, k in [(3, 5, 1e-2, 0.75, 1.0), (5, 4, 0.5, 0.6, 2.0), (2, 6, 0.3, 0.75, 1.0), (1, 3, 0.2, 0.5, 1.5), (7, 3, 0.4, 0.75, 1.0)]:
        x = leaf([2, C, 3, 2], 50 + size, 1.5)
        m = torch.nn.CrossMapLRN2d(size, alpha, beta, k)
        y = m(x)
        g = formula(y.shape, 60 + size, 1.0, torch.float64)
        try:  # PyTorch's hand-written backward fails for windows wider than the channels (size 7, C 3)
            (y * g).sum().backward()
            grad = enc(x.grad)
        except RuntimeError:
            grad = None
        # PyTorch's backward is a hand-written formula that is the gradient of its forward only in some
        # configurations: the test compares gradients where PyTorch's own gradcheck passes
        exact = grad is not None and torch.autograd.gradcheck(m, (x.detach().requires_grad_(),), raise_exception=False)
        lrn.append({"size": size, "alpha": alpha, "beta": beta, "k": k, "x": enc(x), "y": enc(y), "g": enc(g),
                    "grad": grad, "torchGradIsExact": bool(exact), "repr": repr(m)})
    out["crossMapLrn"] = lrn
    out["crossMapLrnRepr"] = repr(torch.nn.CrossMapLRN2d(3))
    return out


# ---- torch.* ----

def torch_cases():
    out = {}
    out["range"] = [{"args": [s, e, st], "y": enc(torch.range(s, e, st))} for s, e, st in
                    [(0, 1, 0.1), (1, 4, 1), (5, 1, -1.5), (-2.5, 2.5, 0.7), (0, 0.3, 0.1), (1, 1, 1)]]
    out["range64"] = enc(torch.range(0, 1, 0.1, dtype=torch.float64))
    xa = torch.tensor([-2.0, -0.0, 0.0, 3.0, float("nan"), float("inf"), -float("inf"), -1e-30])
    out["angle"] = {"x": enc(xa), "y": enc(torch.angle(xa)), "y64": enc(torch.angle(xa.double())),
                    "int": enc(torch.angle(torch.tensor([-3, 0, 4], dtype=torch.int32))),
                    "bool": enc(torch.angle(torch.tensor([True, False])))}
    a, b = formula([2, 3], 70), formula([2, 3], 71)
    out["rsub"] = {"a": enc(a), "b": enc(b), "y": enc(torch.rsub(a, b, alpha=2.5)), "scalar": enc(torch.rsub(a, 3.0))}
    out["fill"] = enc(torch.fill(a, 1.25))
    src = formula([4], 72)
    idx = torch.tensor([5, 0, -1, 5])
    out["put"] = {"x": enc(a), "index": enc(idx), "source": enc(src), "y": enc(torch.put(a, idx, src)),
                  "acc": enc(a.put(idx, src, accumulate=True))}
    w = formula([5, 3], 73)
    ind = torch.tensor([[0, 2], [4, 2]])
    out["embedding"] = {"weight": enc(w), "indices": enc(ind), "y": enc(torch.embedding(w, ind, 2))}
    inp = formula([1, 2, 4, 5], 74)
    grid = formula([1, 3, 2, 2], 75, 1.1)
    out["gridSampler"] = {"input": enc(inp), "grid": enc(grid),
                          "cases": [{"mode": m, "pad": p, "align": al, "y": enc(torch.grid_sampler(inp, grid, m, p, al))}
                                    for m, p, al in [(0, 0, False), (1, 1, True), (2, 2, False), (0, 2, True)]]}
    theta = formula([2, 2, 3], 76, 0.8)
    out["affineGrid"] = {"theta": enc(theta), "y": enc(torch.affine_grid_generator(theta, [2, 1, 3, 4], False)),
                         "yAligned": enc(torch.affine_grid_generator(theta, [2, 1, 3, 4], True))}
    out["constantPadNd"] = {"x": enc(a), "y": enc(torch.constant_pad_nd(a, [1, 2, 0, 1], 0.5))}
    # in-place products: beta·x + alpha·(...)
    prods = {}
    x2, m1, m2 = formula([3, 4], 80), formula([3, 2], 81), formula([2, 4], 82)
    prods["addmm_"] = {"self": enc(x2), "a": enc(m1), "b": enc(m2), "y": enc(x2.clone().addmm_(m1, m2, beta=0.5, alpha=-1.5))}
    xv, mat, vec = formula([3], 83), formula([3, 4], 84), formula([4], 85)
    prods["addmv_"] = {"self": enc(xv), "a": enc(mat), "b": enc(vec), "y": enc(xv.clone().addmv_(mat, vec, beta=0.5, alpha=-1.5))}
    v1, v2 = formula([3], 86), formula([4], 87)
    prods["addr_"] = {"self": enc(x2), "a": enc(v1), "b": enc(v2), "y": enc(x2.clone().addr_(v1, v2, beta=0.5, alpha=-1.5))}
    b1, b2 = formula([2, 3, 2], 88), formula([2, 2, 4], 89)
    prods["addbmm_"] = {"self": enc(x2), "a": enc(b1), "b": enc(b2), "y": enc(x2.clone().addbmm_(b1, b2, beta=0.5, alpha=-1.5))}
    x3 = formula([2, 3, 4], 90)
    prods["baddbmm_"] = {"self": enc(x3), "a": enc(b1), "b": enc(b2), "y": enc(x3.clone().baddbmm_(b1, b2, beta=0.5, alpha=-1.5))}
    out["products"] = prods
    # the legacy type API
    dts = {"float32": torch.float32, "float64": torch.float64, "int32": torch.int32, "bool": torch.bool}
    out["typeNames"] = {k: torch.zeros(1, dtype=v).type() for k, v in dts.items()}
    # a legacy type name, or a dtype (Tensile's dtype names stand for torch's dtype objects)
    name_of = {v: k2 for k2, v in dts.items()}
    out["typeConversions"] = [[k, name, name_of[torch.zeros(1, dtype=dt).type(name).dtype]] for k, dt in dts.items()
                              for name in ["torch.DoubleTensor", "torch.IntTensor", "torch.FloatTensor", "torch.BoolTensor"]]
    out["typeConversions"] += [[k, to, name_of[torch.zeros(1, dtype=dt).type(dts[to]).dtype]] for k, dt in dts.items() for to in dts]
    xi = torch.tensor([[1, -2, 3], [4, 5, -6]], dtype=torch.int32)
    out["new"] = {"sizes": list(xi.new(2, 3).shape), "empty": list(xi.new().shape), "data": enc(xi.new([[1, 2], [3, 4]])),
                  "flat": enc(xi.new([2, 3]))}
    # CPU callbacks: the same Python lambdas the test writes in JS
    xf = formula([2, 3], 91, 3.0)
    out["apply"] = {"x": enc(xf), "y": enc(xf.clone().apply_(lambda v: v * v - 1)),
                    "xi": enc(xi), "yi": enc(xi.clone().apply_(lambda v: v * 3 + 1))}
    other, third = formula([3], 92), formula([2, 1], 93)
    out["map"] = {"other": enc(other), "third": enc(third), "y": enc(xf.clone().map_(other, lambda p, q: p * q + 2)),
                  "y2": enc(xf.clone().map2_(other, third, lambda p, q, r: p - q * r))}
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"), help="output folder")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    body = {"pool": pool_cases(), "functional": functional_cases(), "mha": mha_cases(), "layers": layer_cases(), "torch": torch_cases()}
    path = os.path.join(args.out, "api-gaps.json")
    with open(path, "w") as f:
        json.dump({**HEADER, **body}, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
