#!/usr/bin/env python3
"""PyTorch reference values for test/core.test.ts (a PyTorch-style script and autograd features).

Run with Debian's torch: /usr/bin/python3 tools/gen-core-fixtures.py
Writes fixtures/core-script.json. Deterministic (no random numbers).
"""
import json
import sys
import os
import torch

def lst(t):
    return t.detach().reshape(-1).tolist()

out = {"generator": "tools/gen-core-fixtures.py", "torch": torch.__version__}

# --- the 30-line PyTorch-style script (mirrored line for line in test/core.test.ts) ---
x = torch.tensor([[0.5, -1.2, 3.0], [2.0, 0.1, -0.7]], requires_grad=True)
w = torch.tensor([[0.3, -0.2], [0.8, 0.5], [-0.6, 0.9]], requires_grad=True)
b = torch.tensor([0.1, -0.3], requires_grad=True)
h = torch.tanh(x @ w + b)
y = torch.softmax(h * 2, dim=1)
p = y[:, 0].clamp(min=1e-6)
reg = (w ** 2).sum() * 0.01
z = torch.sigmoid(x).mean(dim=0, keepdim=True)
q = torch.logsumexp(x * z, dim=1).sum()
loss = -p.log().mean() + reg + 0.1 * q
loss.backward()
out["script"] = {"loss": loss.item(), "x_grad": lst(x.grad), "w_grad": lst(w.grad), "b_grad": lst(b.grad)}

# --- second derivatives through createGraph ---
a = torch.tensor([0.3, -1.1, 2.0], requires_grad=True)
f = (a ** 3).sum() + (a.sin() * a).sum()
(g,) = torch.autograd.grad(f, a, create_graph=True)
g.sum().backward()
out["second"] = {"g": lst(g), "a_grad": lst(a.grad)}

# matmul and reductions twice differentiated
m = torch.tensor([[1.0, 2.0], [3.0, -1.0]], requires_grad=True)
v = torch.tensor([[0.5], [-0.25]], requires_grad=True)
s = (m @ v).pow(2).sum() + m.var(dim=1).sum()
(gm,) = torch.autograd.grad(s, m, create_graph=True)
(gm * gm).sum().backward()
out["second_matmul"] = {"gm": lst(gm), "m_grad": lst(m.grad), "v_grad": lst(v.grad)}

# --out DIR writes there instead of fixtures/ (tools/check-fixtures-fresh.sh compares the two)
outdir = sys.argv[sys.argv.index("--out") + 1] if "--out" in sys.argv else os.path.join(os.path.dirname(__file__), "..", "fixtures")
path = os.path.join(outdir, "core-script.json")
with open(path, "w") as fh:
    json.dump(out, fh, indent=1)
print("wrote", path)
