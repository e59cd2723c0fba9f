#!/usr/bin/python3
"""torch 1.13 oracle for the "functional" training port (test/port-functional.test.ts): three
programs as PyTorch users write them with functorch (torch.func's forerunner in 1.13),
torch.nn.utils.stateless.functional_call and torch.autograd.grad, all in float64.

1. MAML on sine-wave regression (Finn et al. 2017): an MLP 1-40-40-1 (ReLU); per task an inner loop
   of 2 SGD steps on the support set, each grads = torch.autograd.grad(loss, params,
   create_graph=True) and params = {n: p - a*g}, run through functional_call; the query loss of the
   adapted params is the task's meta-loss; Adam steps on the mean over 3 tasks, differentiating
   through the inner steps (second order). 8 meta-steps. Then the first meta-gradient once more with
   the inner gradients from functorch.grad (the same numbers), a first-order MAML meta-gradient
   (create_graph=False: the inner gradients are constants), the same with functorch 1.13's
   make_functional (weights as a tuple), and a test task adapted with the final weights; also
   make_functional_with_buffers on a BatchNorm MLP in training mode (outputs, gradients, buffers).
2. DP-SGD: a classifier MLP 5-16-3 (Tanh); per-sample gradients by
   vmap(grad(loss_fn), in_dims=(None, 0, 0)) over a batch of 8 with functional_call, each sample's
   gradient clipped to total norm C, summed, Gaussian noise (sigma*C*z, z given) added, averaged,
   applied by a manual SGD update under no_grad. 10 steps. Also, at the first step, the same
   per-sample gradients the "hooks" way (a forward hook keeps each Linear's input, a full backward
   hook its grad_output; weight grads are einsum('bo,bi->boi'), with reduction='sum' so the batch
   does not scale them) and by a plain loop of autograd.grad per sample.
3. A physics-informed network: u(t) an MLP 1-16-16-1 (Tanh); du/dt and d2u/dt2 by
   torch.autograd.grad(u, t, grad_outputs=ones_like(u), create_graph=True); the loss is the mean
   squared residual of u'' + u = 0 on 24 collocation points plus (u(0)-1)^2 + u'(0)^2 (solution:
   cos t). Adam (lr 1e-2) for 25 steps, then LBFGS(line_search_fn='strong_wolfe', max_iter=10,
   history_size=10) for 3 steps with a closure; every closure call's loss is recorded.

Nothing random is drawn on the Tensile side: the tasks, the classifier's data and the DP noise are
drawn here with torch's generator and written out (inputs of the port). Run from the repository root:

    /usr/bin/python3 tools/gen-port-functional-fixtures.py [--out DIR]

Writes fixtures/port-functional.json and fixtures/port-functional-init.pt (the three initial state
dicts, under "maml", "dp" and "pinn").
"""
import argparse
import math
import os
import sys

sys.dont_write_bytecode = True

import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch.nn.utils.stateless import functional_call  # noqa: E402
from functorch import grad, make_functional, make_functional_with_buffers, vmap  # noqa: E402
from torchfix.fixio import enc, write_json  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = {"generator": "tools/gen-port-functional-fixtures.py", "torch": torch.__version__}

# ---- MAML ----
META_STEPS, TASKS, K, INNER_STEPS = 8, 3, 10, 2
INNER_LR, META_LR = 0.02, 1e-3
# ---- DP-SGD ----
DP_STEPS, DP_BATCH, DP_IN, DP_HIDDEN, DP_CLASSES = 10, 8, 5, 16, 3
CLIP, SIGMA, DP_LR = 1.0, 0.8, 0.1
# ---- PINN ----
PINN_POINTS, PINN_T1, ADAM_STEPS, LBFGS_STEPS = 24, 3.0, 25, 3


def sine_task(g):
    """A task: amplitude in [0.1, 5], phase in [0, pi]; support and query x uniform in [-5, 5]."""
    amp = 0.1 + 4.9 * torch.rand((), generator=g, dtype=torch.float64)
    phase = math.pi * torch.rand((), generator=g, dtype=torch.float64)
    xs = -5 + 10 * torch.rand(K, 1, generator=g, dtype=torch.float64)
    xq = -5 + 10 * torch.rand(K, 1, generator=g, dtype=torch.float64)
    return {"amp": amp, "phase": phase, "xs": xs, "ys": amp * torch.sin(xs - phase), "xq": xq, "yq": amp * torch.sin(xq - phase)}


def enc_task(t):
    return {"amp": t["amp"].item(), "phase": t["phase"].item(), **{k: enc(t[k]) for k in ("xs", "ys", "xq", "yq")}}


def inner_adapt(model, params, xs, ys, create_graph, losses=None):
    """INNER_STEPS SGD steps on the support set, each through torch.autograd.grad."""
    for _ in range(INNER_STEPS):
        loss = F.mse_loss(functional_call(model, params, (xs,)), ys)
        if losses is not None:
            losses.append(loss.item())
        grads = torch.autograd.grad(loss, list(params.values()), create_graph=create_graph)
        params = {n: p - INNER_LR * g for (n, p), g in zip(params.items(), grads)}
    return params


def maml(model, tasks, test_task):
    meta_opt = torch.optim.Adam(model.parameters(), lr=META_LR)
    steps = []
    for step in range(META_STEPS):
        meta_opt.zero_grad()
        inner_losses, query_losses, total = [], [], 0.0
        for task in tasks[step]:
            params = dict(model.named_parameters())
            task_inner = []
            adapted = inner_adapt(model, params, task["xs"], task["ys"], True, task_inner)
            q = F.mse_loss(functional_call(model, adapted, (task["xq"],)), task["yq"])
            inner_losses.append(task_inner)
            query_losses.append(q.item())
            total = total + q
        meta_loss = total / TASKS
        meta_loss.backward()
        grad_sums = {n: p.grad.abs().sum().item() for n, p in model.named_parameters()}
        meta_opt.step()
        steps.append({"metaLoss": meta_loss.item(), "innerLosses": inner_losses, "queryLosses": query_losses, "gradAbsSum": grad_sums})

    # the adapted model on a new task: 2 inner steps (no graph kept), the query loss and predictions
    params = {n: p.detach() for n, p in model.named_parameters()}
    adapted = inner_adapt(model, {n: p.requires_grad_() for n, p in params.items()}, test_task["xs"], test_task["ys"], False)
    with torch.no_grad():
        pred = functional_call(model, adapted, (test_task["xq"],))
        before = model(test_task["xq"])
    return steps, {"pred": enc(pred), "before": enc(before), "queryLoss": F.mse_loss(pred, test_task["yq"]).item()}


def meta_grad_variants(model, tasks):
    """The first meta-step's meta-gradient three ways, from the initial weights."""
    names = [n for n, _ in model.named_parameters()]

    def via_autograd(create_graph):
        total = 0.0
        for task in tasks:
            adapted = inner_adapt(model, dict(model.named_parameters()), task["xs"], task["ys"], create_graph)
            total = total + F.mse_loss(functional_call(model, adapted, (task["xq"],)), task["yq"])
        return dict(zip(names, torch.autograd.grad(total / TASKS, list(model.parameters()))))

    def via_functorch():
        def support_loss(p, xs, ys):
            return F.mse_loss(functional_call(model, p, (xs,)), ys)

        total = 0.0
        for task in tasks:
            params = dict(model.named_parameters())
            for _ in range(INNER_STEPS):
                g = grad(support_loss)(params, task["xs"], task["ys"])
                params = {n: p - INNER_LR * g[n] for n, p in params.items()}
            total = total + F.mse_loss(functional_call(model, params, (task["xq"],)), task["yq"])
        return dict(zip(names, torch.autograd.grad(total / TASKS, list(model.parameters()))))

    def via_make_functional():
        # functorch 1.13's MAML style: the weights as a tuple of the copy's parameters
        fmodel, params = make_functional(model)
        total = 0.0
        for task in tasks:
            fast = params
            for _ in range(INNER_STEPS):
                g = grad(lambda p: F.mse_loss(fmodel(p, task["xs"]), task["ys"]))(fast)
                fast = tuple(p - INNER_LR * gp for p, gp in zip(fast, g))
            total = total + F.mse_loss(fmodel(fast, task["xq"]), task["yq"])
        return dict(zip(names, torch.autograd.grad(total / TASKS, params)))

    second, first, ft, mf = via_autograd(True), via_autograd(False), via_functorch(), via_make_functional()
    assert all(torch.allclose(second[n], ft[n], rtol=1e-12, atol=1e-14) for n in names), "functorch.grad inner loop differs"
    assert all(torch.allclose(second[n], mf[n], rtol=1e-12, atol=1e-14) for n in names), "make_functional differs"
    return {"secondOrder": {n: enc(v) for n, v in second.items()}, "firstOrder": {n: enc(v) for n, v in first.items()},
            "functorchMaxDiff": max((second[n] - ft[n]).abs().max().item() for n in names),
            "makeFunctionalMaxDiff": max((second[n] - mf[n]).abs().max().item() for n in names)}


def with_buffers():
    """make_functional_with_buffers on a BatchNorm MLP in training mode: outputs, and the buffers it updates."""
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Tanh(), nn.Linear(4, 2)).double()
    init = {k: v.clone() for k, v in model.state_dict().items()}
    fmodel, params, buffers = make_functional_with_buffers(model)
    x = torch.linspace(-1, 1, 15, dtype=torch.float64).reshape(5, 3)
    out = fmodel(params, buffers, x)
    g = torch.autograd.grad(out.pow(2).sum(), params)
    return {"init": {k: enc(v) for k, v in init.items()}, "x": enc(x), "out": enc(out),
            "grads": [enc(v) for v in g], "buffers": [enc(b) for b in buffers],
            "modelBuffersUnchanged": all(torch.equal(b, init[n]) for n, b in model.named_buffers())}


# ---- DP-SGD ----

def dp_sgd(model, x, y, noise):
    params = {n: p.detach() for n, p in model.named_parameters()}

    def loss_fn(p, xi, yi):
        return F.cross_entropy(functional_call(model, p, (xi.unsqueeze(0),)), yi.unsqueeze(0))

    per_sample_grad = vmap(grad(loss_fn), in_dims=(None, 0, 0))
    steps, first_grads = [], None
    for step in range(DP_STEPS):
        xb, yb = x[step * DP_BATCH:(step + 1) * DP_BATCH], y[step * DP_BATCH:(step + 1) * DP_BATCH]
        with torch.no_grad():
            loss = F.cross_entropy(model(xb), yb).item()
        grads = per_sample_grad(params, xb, yb)
        if first_grads is None:
            first_grads = grads
        norms = torch.stack([g.reshape(DP_BATCH, -1).norm(dim=1) for g in grads.values()], dim=1).norm(dim=1)
        factor = (CLIP / (norms + 1e-6)).clamp(max=1.0)
        with torch.no_grad():
            for n, p in model.named_parameters():
                g = grads[n]
                clipped = g * factor.view(-1, *([1] * (g.dim() - 1)))
                noisy = (clipped.sum(0) + SIGMA * CLIP * noise[step][n]) / DP_BATCH
                p.sub_(DP_LR * noisy)
        steps.append({"loss": loss, "norms": norms.tolist(), "factors": factor.tolist()})
    return steps, first_grads


def hooks_per_sample(model, xb, yb):
    """Per-sample gradients of every Linear from hooks: the layer's input and its output's gradient."""
    acts, gouts, handles = {}, {}, []
    for name, m in model.named_modules():
        if isinstance(m, nn.Linear):
            handles.append(m.register_forward_hook(lambda mod, args, out, name=name: acts.__setitem__(name, args[0].detach())))
            handles.append(m.register_full_backward_hook(lambda mod, gin, gout, name=name: gouts.__setitem__(name, gout[0].detach())))
    model.zero_grad()
    F.cross_entropy(model(xb), yb, reduction="sum").backward()
    for h in handles:
        h.remove()
    out = {}
    for name in acts:
        out[f"{name}.weight"] = torch.einsum("bo,bi->boi", gouts[name], acts[name])
        out[f"{name}.bias"] = gouts[name]
    summed = {n: p.grad.clone() for n, p in model.named_parameters()}
    model.zero_grad()
    return out, summed


def loop_per_sample(model, xb, yb):
    params = list(model.parameters())
    rows = [torch.autograd.grad(F.cross_entropy(model(xb[i:i + 1]), yb[i:i + 1]), params) for i in range(xb.shape[0])]
    return {n: torch.stack([r[j] for r in rows]) for j, (n, _) in enumerate(model.named_parameters())}


# ---- PINN ----

def pinn_loss(model, t, t0):
    u = model(t)
    du = torch.autograd.grad(u, t, grad_outputs=torch.ones_like(u), create_graph=True)[0]
    d2u = torch.autograd.grad(du, t, grad_outputs=torch.ones_like(du), create_graph=True)[0]
    residual = d2u + u
    u0 = model(t0)
    du0 = torch.autograd.grad(u0, t0, grad_outputs=torch.ones_like(u0), create_graph=True)[0]
    return residual.pow(2).mean() + (u0 - 1).pow(2).sum() + du0.pow(2).sum()


def pinn(model):
    t = torch.linspace(0, PINN_T1, PINN_POINTS, dtype=torch.float64).unsqueeze(1).requires_grad_(True)
    t0 = torch.zeros(1, 1, dtype=torch.float64, requires_grad=True)
    adam = torch.optim.Adam(model.parameters(), lr=1e-2)
    adam_losses = []
    for _ in range(ADAM_STEPS):
        adam.zero_grad()
        loss = pinn_loss(model, t, t0)
        loss.backward()
        adam.step()
        adam_losses.append(loss.item())
    lbfgs = torch.optim.LBFGS(model.parameters(), lr=1, max_iter=10, history_size=10, line_search_fn="strong_wolfe")
    closure_losses, step_losses = [], []

    def closure():
        lbfgs.zero_grad()
        loss = pinn_loss(model, t, t0)
        loss.backward()
        closure_losses.append(loss.item())
        return loss

    for _ in range(LBFGS_STEPS):
        step_losses.append(lbfgs.step(closure).item())
    state = lbfgs.state[lbfgs._params[0]]
    final_loss = pinn_loss(model, t, t0).item()
    tt = torch.linspace(0, PINN_T1, 7, dtype=torch.float64).unsqueeze(1).requires_grad_(True)
    u = model(tt)
    du = torch.autograd.grad(u, tt, grad_outputs=torch.ones_like(u))[0]
    return {"adamLosses": adam_losses, "closureLosses": closure_losses, "lbfgsStepLosses": step_losses,
            "funcEvals": state["func_evals"], "nIter": state["n_iter"], "finalLoss": final_loss,
            "testT": enc(tt), "testU": enc(u), "testDu": enc(du)}


def mlp(sizes, act):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(act())
    return nn.Sequential(*layers).double()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"))
    out_dir = ap.parse_args().out
    os.makedirs(out_dir, exist_ok=True)

    g = torch.Generator().manual_seed(7)
    tasks = [[sine_task(g) for _ in range(TASKS)] for _ in range(META_STEPS)]
    test_task = sine_task(g)
    dp_x = torch.randn(DP_STEPS * DP_BATCH, DP_IN, generator=g, dtype=torch.float64)
    dp_y = torch.randint(0, DP_CLASSES, (DP_STEPS * DP_BATCH,), generator=g)

    torch.manual_seed(0)
    maml_model = mlp([1, 40, 40, 1], nn.ReLU)
    dp_model = mlp([DP_IN, DP_HIDDEN, DP_CLASSES], nn.Tanh)
    pinn_model = mlp([1, 16, 16, 1], nn.Tanh)
    dp_noise = [{n: torch.randn(p.shape, generator=g, dtype=torch.float64) for n, p in dp_model.named_parameters()} for _ in range(DP_STEPS)]
    init_path = os.path.join(out_dir, "port-functional-init.pt")
    torch.save({"maml": maml_model.state_dict(), "dp": dp_model.state_dict(), "pinn": pinn_model.state_dict()}, init_path)
    print("wrote", os.path.relpath(init_path), os.path.getsize(init_path), "bytes")

    variants = meta_grad_variants(maml_model, tasks[0])
    maml_steps, maml_test = maml(maml_model, tasks, test_task)

    xb0, yb0 = dp_x[:DP_BATCH], dp_y[:DP_BATCH]
    hooks_grads, summed = hooks_per_sample(dp_model, xb0, yb0)
    loop_grads = loop_per_sample(dp_model, xb0, yb0)
    dp_steps, vmap_grads = dp_sgd(dp_model, dp_x, dp_y, dp_noise)
    for n in vmap_grads:
        assert torch.allclose(vmap_grads[n], hooks_grads[n], rtol=1e-12, atol=1e-15), n
        assert torch.allclose(vmap_grads[n], loop_grads[n], rtol=1e-12, atol=1e-15), n
        assert torch.allclose(vmap_grads[n].sum(0), summed[n], rtol=1e-12, atol=1e-15), n

    pinn_out = pinn(pinn_model)
    buffers_case = with_buffers()

    write_json(out_dir, "port-functional.json", {
        **HEADER,
        "maml": {
            "config": {"metaSteps": META_STEPS, "tasks": TASKS, "k": K, "innerSteps": INNER_STEPS, "innerLr": INNER_LR, "metaLr": META_LR},
            "tasks": [[enc_task(t) for t in step] for step in tasks],
            "testTask": enc_task(test_task),
            "steps": maml_steps,
            "metaGrad0": variants,
            "test": maml_test,
            "final": {k: enc(v) for k, v in maml_model.state_dict().items()},
            "withBuffers": buffers_case,
        },
        "dp": {
            "config": {"steps": DP_STEPS, "batch": DP_BATCH, "in": DP_IN, "hidden": DP_HIDDEN, "classes": DP_CLASSES, "clip": CLIP, "sigma": SIGMA, "lr": DP_LR},
            "x": enc(dp_x), "y": enc(dp_y),
            "noise": [{n: enc(v) for n, v in step.items()} for step in dp_noise],
            "perSample0": {n: enc(v) for n, v in vmap_grads.items()},
            "steps": dp_steps,
            "final": {k: enc(v) for k, v in dp_model.state_dict().items()},
        },
        "pinn": {
            "config": {"points": PINN_POINTS, "t1": PINN_T1, "adamSteps": ADAM_STEPS, "lbfgsSteps": LBFGS_STEPS},
            **pinn_out,
            "final": {k: enc(v) for k, v in pinn_model.state_dict().items()},
        },
    })


if __name__ == "__main__":
    main()
