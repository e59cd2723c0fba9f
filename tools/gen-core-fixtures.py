#!/usr/bin/env python3
"""PyTorch reference values for test/core.test.ts (a PyTorch-style script and autograd features).

Run with Debian's torch: /usr/bin/python3 tools/gen-core-fixtures.py
Writes fixtures/core-script.json. Deterministic (no random numbers).
"""
import json
import sys
import os
import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
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

# --- in-place ops recorded by autograd (mirrored in test/inplace.test.ts) ---
def leaf(v):
    return torch.tensor(v, requires_grad=True)

# a residual block's `out += identity`, a chain of in-place ops on the result, and relu_
x = leaf([[0.5, 1.2, 0.3], [0.2, -0.1, 0.7]])
w = leaf([[0.3, 0.2, -0.4], [0.1, 0.5, 0.1], [0.6, -0.1, 0.2]])
s = leaf([1.5, 2.5, 0.75])
t1 = leaf([[0.2, 0.4, -0.6], [1.0, -2.5, 0.3]])
t2 = leaf([0.5, 1.5, 2.0])
r = x @ w
r += x
r.mul_(2).sub_(0.25)
r.div_(s)
r.addcmul_(t1, t2, value=0.5)
r.clamp_(-4.0, 1.5)
r.relu_()
loss = (r * r).sum()
loss.backward()
inplace = {"chain": {"out": lst(r), "loss": loss.item(), "x_grad": lst(x.grad), "w_grad": lst(w.grad), "s_grad": lst(s.grad),
                     "t1_grad": lst(t1.grad), "t2_grad": lst(t2.grad)}}

# values that require grad written into a plain buffer; mul_ by a tensor that requires grad
h = leaf([0.3, -0.8, 1.2])
m = leaf([2.0, 0.5, -1.0])
buf = torch.zeros(3)
buf.copy_(h)
buf.mul_(m)
buf.add_(h, alpha=3.0)
buf.masked_fill_(torch.tensor([False, True, False]), 0.5)
loss = (buf * torch.tensor([1.0, 2.0, 3.0])).sum()
loss.backward()
inplace["buffer"] = {"buf": lst(buf), "h_grad": lst(h.grad), "m_grad": lst(m.grad)}

# fill_ and zero_ on an op's output: the gradient to what came before is zero
a = leaf([1.0, 2.0, 3.0])
y = a * 3
y.zero_()
z = a * 2
z.fill_(4.0)
(y.sum() + z.sum() + a.sum()).backward()
inplace["fill"] = {"a_grad": lst(a.grad), "y_requires_grad": y.requires_grad}

# a rule that reads its output (exp saves its result): backward refuses
e = leaf([0.1, 0.2])
ye = e.exp()
ye.add_(1.0)
try:
    ye.sum().backward()
    inplace["saved_modified"] = "no error"
except RuntimeError as err:
    inplace["saved_modified"] = str(err).split(":")[0]
out["inplace"] = inplace

# --- printing: PyTorch's repr for tensors of every kind (mirrored in test/core.test.ts) ---
inf, nan = float("inf"), float("nan")
def fl(v):
    return v if v == v and abs(v) != inf else ("nan" if v != v else ("inf" if v > 0 else "-inf"))
reprs = []
def rcase(t, requires_grad=False):
    if requires_grad:
        t = t.clone().requires_grad_()
    text = repr(t).replace("dtype=torch.", "dtype=")
    dtype = str(t.dtype).replace("torch.", "")
    data = [fl(float(v)) if t.dtype.is_floating_point else (bool(v) if t.dtype == torch.bool else int(v)) for v in t.detach().reshape(-1).tolist()]
    # the sign of -0.0 does not survive JSON; those cases are listed by index
    negzero = [i for i, v in enumerate(t.detach().reshape(-1).tolist()) if t.dtype.is_floating_point and v == 0 and str(v).startswith("-")]
    reprs.append({"shape": list(t.shape), "dtype": dtype, "data": data, "negZero": negzero, "requiresGrad": requires_grad, "repr": text})
f32 = lambda v: torch.tensor(v, dtype=torch.float32)
rcase(torch.nn.Transformer.generate_square_subsequent_mask(3))
for v in [[1.0, -inf, 100.0], [0.0, 0.0, 0.0], [nan, 1.5], [0.0, -inf], [1e-5, inf, 3.0], [[0.0, nan], [1.0, 2.0]], [inf, -inf],
          [123456789.0, inf], [0.001, 2.0], [1.0, 2000.0], [1.0, 999.0], [0.0, 1e-5], [0.5, 1e8], [-0.0, 1.0], [1e-4, 1.0],
          [-1.5, 2.25, -3.125], [12345.0, 1.0], [1.5e9, 2.0], [0.03125, 0.09375, -0.15625, 0.5], [2.5e-5, -0.125],
          [1e-12, 1e12], [-0.00001, 0.25], [nan, nan]]:
    rcase(f32(v))
rcase(torch.arange(20, dtype=torch.float32) * 0.37)
rcase(torch.arange(30, dtype=torch.float32))
rcase((torch.arange(45, dtype=torch.float32) * 0.731 - 9).reshape(3, 15))
rcase(torch.arange(2000, dtype=torch.float32).reshape(2, 1000) * 1.5)
rcase(torch.arange(2400, dtype=torch.float32).reshape(3, 400, 2) / 7)
rcase(torch.arange(1500, dtype=torch.float32) / 7 - 100)
rcase((torch.arange(7 * 8 * 9 * 3, dtype=torch.float32).reshape(7, 8, 9, 3) % 13) - 6)
rcase(torch.arange(25, dtype=torch.int32) * 37 - 400)
rcase(torch.arange(3000, dtype=torch.int32).reshape(3, 1000))
rcase(torch.tensor([True, False, True]))
rcase(torch.tensor([[1 / 3, 2 / 3], [1e-3, -7.0]], dtype=torch.float64))
rcase(torch.tensor(3.5))
rcase(torch.tensor(-inf))
rcase(torch.tensor(2.0))
rcase(torch.zeros(0))
rcase(torch.zeros(2, 0))
rcase(f32([0.5, -1.25]), requires_grad=True)
rcase(torch.arange(12, dtype=torch.float32).reshape(2, 3, 2) - 5.5, requires_grad=True)
# the same printer under torch.set_printoptions (each case resets to the defaults afterwards)
def pcase(t, **opts):
    torch.set_printoptions(**opts)
    try:
        rcase(t)
    finally:
        torch.set_printoptions(profile="default")
    camel = {"sci_mode": "sciMode"}
    reprs[-1]["printOptions"] = {camel.get(k, k): (("Infinity" if v == inf else v) if k == "threshold" else v) for k, v in opts.items()}
pcase(f32([1 / 3, 2 / 3, -1.5]), precision=2)
pcase(f32([1 / 3, 2 / 3, -1.5]), precision=7)
pcase(f32([0.03125, 0.09375, 12.5]), precision=3)
pcase(f32([1.0, 2.0, 3.0]), sci_mode=True)
pcase(f32([1e-5, 1.0, 300.0]), sci_mode=False)
pcase(f32([0.5, 1e9]), sci_mode=False, precision=1)
pcase(torch.arange(30, dtype=torch.float32) / 3, linewidth=40)
pcase(torch.arange(30, dtype=torch.float32), threshold=10)
pcase(torch.arange(60, dtype=torch.float32).reshape(6, 10), threshold=10, edgeitems=1)
pcase(torch.arange(1001, dtype=torch.float32), profile="full", linewidth=200)
pcase(torch.arange(1001, dtype=torch.float32).reshape(7, 143) / 9, profile="short")
pcase(torch.arange(24, dtype=torch.int32).reshape(4, 6), threshold=5, edgeitems=2)
pcase(torch.tensor([[1 / 3, 2e-6], [1e3, -7.0]], dtype=torch.float64), precision=6)
out["repr"] = reprs

# --- torch.linspace value for value (its AVX2 kernel: vector pairs from a base, fused multiply-adds) ---
lins = []
for dt in ("float32", "float64", "int32"):
    for a, b, n in [(0, 30, 10), (-1, 1, 7), (22.154003, -27.123778, 16), (-41, 16, 32), (-10.66, 35.33, 100), (0.1, 0.7, 33),
                    (-26.78, 1.377, 129), (1e-3, 5e4, 65), (43.9, -38.8, 31), (3, 3, 5), (0, 1, 1), (0, 1, 0), (-7.25, 1e4, 1001)]:
        t = torch.linspace(a, b, n, dtype=getattr(torch, dt))
        lins.append({"start": a, "end": b, "steps": n, "dtype": dt, "out": t.tolist()})
out["linspace"] = lins

# --out DIR writes there instead of fixtures/ (tools/check-fixtures-fresh.sh compares the two)
outdir = sys.argv[sys.argv.index("--out") + 1] if "--out" in sys.argv else os.path.join(os.path.dirname(__file__), "..", "fixtures")
path = os.path.join(outdir, "core-script.json")
with open(path, "w") as fh:
    json.dump(out, fh, indent=1)
print("wrote", path)
