"""PyTorch oracle for second-order gradients (double backward) of the ops the fuzz family "grad2"
(tools/fuzz/fam_grad2.py) found wrong or failing: cross_entropy with class indices (its one-pass
backward was not differentiable), log_sigmoid / binary_cross_entropy_with_logits at x = 0, smooth_l1 and
huber at d = 0, elu at x = 0, softplus at βx = threshold (a first-order bug: its gradient was halved there), and max pooling followed by a matmul (a second pass released
the argmax indices the first pass's gradient graph reads). Tests in test/grad2.test.ts.
Run from the repository root with Debian's torch (1.13):

    /usr/bin/python3 tools/gen-grad2-fixtures.py [--out DIR]

Writes fixtures/grad2.json. Each case: inputs (the leaves "x", "w" and constants), v and u; torch's
y = f(...), g = grad(sum(y·v), leaves, create_graph) and h = grad(Σ sum(g_i·u_i), leaves).
"""
import argparse
import math
import os
import sys

sys.dont_write_bytecode = True

import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torchfix.fixio import enc, write_json  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = {"generator": "tools/gen-grad2-fixtures.py", "torch": torch.__version__}
torch.set_num_threads(1)
F64 = torch.float64


def vals(shape, k):
    """Deterministic float64 values: sin of a shifted index, 3 decimals."""
    n = math.prod(shape)
    return torch.tensor([round(math.sin(k + 0.7 * i) * 1.5, 3) for i in range(n)], dtype=F64).reshape(shape)


# name → (f(leaves, consts), leaves {name: tensor}, consts {name: tensor}); the test has the same table
def cases():
    tgt = torch.tensor([2, 0, 1, 2])
    return {
        "cross_entropy_mean": (lambda L, C: F.cross_entropy(L["x"], C["t"]), {"x": vals([4, 3], 1)}, {"t": tgt}),
        "cross_entropy_sum_weight_ignore": (
            lambda L, C: F.cross_entropy(L["x"], C["t"], weight=C["cw"], ignore_index=1, reduction="sum"),
            {"x": vals([4, 3], 2)}, {"t": tgt, "cw": torch.tensor([0.5, 2.0, 1.5], dtype=F64)}),
        "cross_entropy_none_tanh": (lambda L, C: torch.tanh(F.cross_entropy(L["x"], C["t"], reduction="none")),
                                    {"x": vals([4, 3], 3)}, {"t": tgt}),
        "cross_entropy_linear": (lambda L, C: F.cross_entropy(F.linear(C["a"], L["w"]), C["t"]),
                                 {"w": vals([3, 2], 4)}, {"a": vals([4, 2], 5), "t": tgt}),
        "cross_entropy_smoothing": (lambda L, C: F.cross_entropy(L["x"], C["t"], label_smoothing=0.2),
                                    {"x": vals([4, 3], 9)}, {"t": tgt}),
        "logsigmoid_at_zero": (lambda L, C: F.logsigmoid(L["x"]), {"x": torch.tensor([0.0, -0.5, 1.25, 0.0], dtype=F64)}, {}),
        "bce_logits_at_zero": (lambda L, C: F.binary_cross_entropy_with_logits(L["x"], C["y"], reduction="sum"),
                               {"x": torch.tensor([[0.0, 0.25], [-1.5, 0.0]], dtype=F64)},
                               {"y": torch.tensor([[0.25, 1.0], [0.0, 0.5]], dtype=F64)}),
        "smooth_l1_kinks": (lambda L, C: F.smooth_l1_loss(L["x"], L["w"], reduction="sum", beta=0.5),
                            {"x": torch.tensor([0.0, 0.5, 1.0, -0.25, 0.75], dtype=F64),
                             "w": torch.tensor([0.0, 0.0, 0.25, 0.25, -0.5], dtype=F64)}, {}),
        "huber_kinks": (lambda L, C: F.huber_loss(L["x"], L["w"], reduction="mean", delta=0.5),
                        {"x": torch.tensor([0.0, 0.5, 1.0, -0.25, 0.75], dtype=F64),
                         "w": torch.tensor([0.0, 0.0, 0.25, 0.25, -0.5], dtype=F64)}, {}),
        "softplus_at_threshold": (lambda L, C: F.softplus(L["x"], 2, 1), {"x": torch.tensor([0.5, 0.25, 1.0, -0.5], dtype=F64)}, {}),
        "elu_at_zero": (lambda L, C: F.elu(L["x"], 0.5), {"x": torch.tensor([0.0, -0.5625, 0.75, -2.0], dtype=F64)}, {}),
        "max_pool2d_matmul": (lambda L, C: F.max_pool2d(L["x"], 2, 1) @ L["w"],
                              {"x": vals([1, 2, 3, 3], 6), "w": vals([2, 3], 7)}, {}),
        "prod_dim_zeros": (lambda L, C: torch.prod(L["x"], 1), {"x": torch.tensor([[0.0, -1.0, 0.5, 2.0], [2.0, 0.0, 0.75, 0.0],
                                                                                  [1.0, 2.0, 3.0, 0.5]], dtype=F64)}, {}),
        "prod_all_one_zero": (lambda L, C: torch.prod(L["x"]) * 3, {"x": torch.tensor([[0.5, -1.5], [0.0, 1.25]], dtype=F64)}, {}),
        "norm2_zero_entry": (lambda L, C: torch.norm(L["x"], 2, 1), {"x": torch.tensor([[0.5, -1.0, 0.0], [2.0, -0.25, 0.75]], dtype=F64)}, {}),
        "max_pool1d_tanh": (lambda L, C: torch.tanh(F.max_pool1d(L["x"], 2, 1)) * 2, {"x": vals([2, 2, 5], 8)}, {}),
    }


def run(f, leaves, consts):
    L = {k: t.clone().requires_grad_(True) for k, t in leaves.items()}
    y = f(L, consts)
    names = list(L)
    v = vals(list(y.shape), 11)
    us = {k: vals(list(t.shape), 12 + i) for i, (k, t) in enumerate(L.items())}
    gs = torch.autograd.grad((y * v).sum(), [L[k] for k in names], create_graph=True)
    z = sum((g * us[k]).sum() for g, k in zip(gs, names))
    hs = torch.autograd.grad(z, [L[k] for k in names], allow_unused=True)
    hs = [torch.zeros_like(L[k]) if h is None else h for h, k in zip(hs, names)]
    return {"leaves": {k: enc(t) for k, t in leaves.items()}, "consts": {k: enc(t) for k, t in consts.items()},
            "v": enc(v), "u": {k: enc(t) for k, t in us.items()}, "y": enc(y),
            "g": {k: enc(g) for k, g in zip(names, gs)}, "h": {k: enc(h) for k, h in zip(names, hs)}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"))
    a = ap.parse_args()
    data = dict(HEADER, cases={name: run(*spec) for name, spec in cases().items()})
    write_json(a.out, "grad2.json", data)


if __name__ == "__main__":
    main()
