"""torch 1.13 oracle for the "robustness and interpretability" port (test/port-robust.test.ts): a
small CNN (Conv2d, BatchNorm2d, ReLU, MaxPool2d, Linear) over tiny 3×8×8 images made here, attacked,
adversarially trained and explained the way PyTorch users write it.

- attacks: FGSM in the loss.backward() + x_adv.grad form, PGD in the torch.autograd.grad form, a
  random start given as an input (uniform in [-eps, eps], drawn here), model.eval() while attacking,
  the L∞ projection torch.max(torch.min(x_adv, x + eps), x - eps).clamp(0, 1);
- adversarial training: STEPS steps of SGD(momentum, weight decay) in model.train() on
  0.5·CE(clean) + 0.5·CE(PGD-3 adversarial), every step's adversarial images and losses recorded;
  then clean and robust accuracy on a test set, FGSM images before and after training;
- interpretability on the trained model in eval mode: vanilla saliency (|∂ logit_c / ∂ x| max over
  channels), gradient × input, integrated gradients (a given baseline, 16 points, trapezoid rule,
  batched interpolation, torch.autograd.grad with grad_outputs) with its completeness gap,
  SmoothGrad with given noise, Grad-CAM through a forward hook and a full backward hook on the last
  conv layer (weights = grads.mean((2, 3)), relu of the weighted sum, bilinear upsampling,
  align_corners=False, normalised by its max), guided backpropagation (full backward hooks on every
  ReLU returning a clamped grad_input), and a WGAN-GP-style gradient penalty (create_graph)
  backpropagated into the weights, in train mode (BatchNorm's batch statistics) and in eval mode.

Everything runs in float64. Nothing random is compared: images, random starts, noise, baselines and
the penalty's mixing weights are drawn here and written to the fixture as inputs. Run from the
repository root with Debian's torch (1.13):

    /usr/bin/python3 tools/gen-port-robust-fixtures.py [--out DIR]

Writes fixtures/port-robust.json and fixtures/port-robust-init.pt (the initial state dict).
"""
import argparse
import os
import sys

sys.dont_write_bytecode = True

import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torchfix.fixio import enc, write_json  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = {"generator": "tools/gen-port-robust-fixtures.py", "torch": torch.__version__}

C, H, W, CLASSES = 3, 8, 8, 3
N_TRAIN, N_TEST, BATCH = 32, 12, 8
STEPS, PGD_STEPS = 10, 3
EPS, ALPHA = 0.1, 0.04
IG_STEPS, SG_SAMPLES, SG_SIGMA = 16, 6, 0.15
N_EXPLAIN = 4
GP_WEIGHT = 10.0


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(C, 6, 3, padding=1), nn.BatchNorm2d(6), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Linear(8 * 2 * 2, CLASSES)

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


def make_images(n, g):
    """Class 0: horizontal stripes, 1: vertical stripes, 2: a bright centre; plus noise, in [0, 1]."""
    ys = torch.arange(n) % CLASSES
    r = torch.arange(H, dtype=torch.float64).view(H, 1).expand(H, W)
    c = torch.arange(W, dtype=torch.float64).view(1, W).expand(H, W)
    patterns = [0.5 + 0.3 * torch.sin(1.6 * r), 0.5 + 0.3 * torch.sin(1.6 * c),
                0.2 + 0.6 * torch.exp(-((r - 3.5) ** 2 + (c - 3.5) ** 2) / 6.0)]
    tint = torch.tensor([1.0, 0.8, 0.6], dtype=torch.float64).view(C, 1, 1)
    xs = torch.stack([patterns[int(k)] * tint for k in ys])
    xs = xs + 0.15 * torch.randn(xs.shape, generator=g, dtype=torch.float64)
    return xs.clamp(0, 1), ys


def fgsm(model, x, y, eps):
    x_adv = x.clone().detach().requires_grad_(True)
    loss = F.cross_entropy(model(x_adv), y)
    model.zero_grad()
    loss.backward()
    return (x_adv + eps * x_adv.grad.sign()).clamp(0, 1).detach()


def pgd(model, x, y, eps, alpha, steps, delta0):
    x_adv = (x + delta0).clamp(0, 1).detach()
    for _ in range(steps):
        x_adv = x_adv.clone().detach().requires_grad_(True)
        loss = F.cross_entropy(model(x_adv), y)
        grad = torch.autograd.grad(loss, x_adv)[0]
        x_adv = x_adv.detach() + alpha * grad.sign()
        x_adv = torch.max(torch.min(x_adv, x + eps), x - eps).clamp(0, 1)
    return x_adv.detach()


def accuracy(model, x, y):
    with torch.no_grad():
        return (model(x).argmax(1) == y).double().mean().item()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"))
    out_dir = ap.parse_args().out
    os.makedirs(out_dir, exist_ok=True)

    g = torch.Generator().manual_seed(11)
    train_x, train_y = make_images(N_TRAIN, g)
    test_x, test_y = make_images(N_TEST, g)
    batches = [torch.randperm(N_TRAIN, generator=g)[:BATCH] for _ in range(STEPS)]
    starts = [(torch.rand((BATCH, C, H, W), generator=g, dtype=torch.float64) * 2 - 1) * EPS for _ in range(STEPS)]
    test_start = (torch.rand((N_TEST, C, H, W), generator=g, dtype=torch.float64) * 2 - 1) * EPS

    torch.manual_seed(0)
    model = Net().double()
    init_path = os.path.join(out_dir, "port-robust-init.pt")
    torch.save(model.state_dict(), init_path)
    print("wrote", os.path.relpath(init_path), os.path.getsize(init_path), "bytes")

    # ---- attacks on the initial model ----
    model.eval()
    fgsm_init = fgsm(model, test_x, test_y, EPS)
    init_grads_after_fgsm = {n: p.grad.abs().sum().item() for n, p in model.named_parameters()}
    before = {"cleanAcc": accuracy(model, test_x, test_y), "fgsmAcc": accuracy(model, fgsm_init, test_y)}

    # ---- adversarial training ----
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    steps = []
    for step in range(STEPS):
        xb, yb = train_x[batches[step]], train_y[batches[step]]
        model.eval()
        x_adv = pgd(model, xb, yb, EPS, ALPHA, PGD_STEPS, starts[step])
        model.train()
        optimizer.zero_grad()
        clean_loss = F.cross_entropy(model(xb), yb)
        adv_loss = F.cross_entropy(model(x_adv), yb)
        loss = 0.5 * clean_loss + 0.5 * adv_loss
        loss.backward()
        optimizer.step()
        steps.append({"loss": loss.item(), "clean": clean_loss.item(), "adv": adv_loss.item(), "xAdv": enc(x_adv)})

    model.eval()
    x_rob = pgd(model, test_x, test_y, EPS, ALPHA, PGD_STEPS, test_start)
    fgsm_final = fgsm(model, test_x, test_y, EPS)
    after = {"cleanAcc": accuracy(model, test_x, test_y), "robustAcc": accuracy(model, x_rob, test_y),
             "fgsmAcc": accuracy(model, fgsm_final, test_y)}
    final_sd = {k: enc(v) for k, v in model.state_dict().items()}

    # ---- interpretability, trained model in eval mode ----
    xe, ye = test_x[:N_EXPLAIN], test_y[:N_EXPLAIN]
    x = xe.clone().requires_grad_(True)
    model.zero_grad()
    logits = model(x)
    logits.gather(1, ye.view(-1, 1)).sum().backward()
    saliency = x.grad.abs().amax(dim=1)
    grad_x_input = x.grad * x.detach()

    baseline = 0.2 * torch.rand((C, H, W), generator=g, dtype=torch.float64)
    alphas = torch.linspace(0, 1, IG_STEPS, dtype=torch.float64)
    ig, ig_delta = [], []
    for i in range(N_EXPLAIN):
        scaled = (baseline + alphas.view(-1, 1, 1, 1) * (xe[i] - baseline)).requires_grad_(True)
        out = model(scaled)[:, ye[i]]
        grads = torch.autograd.grad(outputs=out, inputs=scaled, grad_outputs=torch.ones_like(out))[0]
        avg = ((grads[:-1] + grads[1:]) / 2).mean(dim=0)
        attr = (xe[i] - baseline) * avg
        ig.append(attr)
        with torch.no_grad():
            ends = model(torch.stack([baseline, xe[i]]))[:, ye[i]]
        ig_delta.append((attr.sum() - (ends[1] - ends[0])).item())
    ig = torch.stack(ig)

    noise = torch.randn((N_EXPLAIN, SG_SAMPLES, C, H, W), generator=g, dtype=torch.float64)
    smooth = []
    for i in range(N_EXPLAIN):
        sigma = SG_SIGMA * (xe[i].max() - xe[i].min())
        noisy = (xe[i] + sigma * noise[i]).requires_grad_(True)
        out = model(noisy)[:, ye[i]].sum()
        (grad,) = torch.autograd.grad(out, noisy)
        smooth.append(grad.mean(dim=0))
    smooth = torch.stack(smooth)

    store = {}

    def save_activation(module, inputs, output):
        store["activations"] = output.detach()

    def save_gradient(module, grad_input, grad_output):
        store["gradients"] = grad_output[0].detach()

    target_layer = model.features[4]
    h1 = target_layer.register_forward_hook(save_activation)
    h2 = target_layer.register_full_backward_hook(save_gradient)
    model.zero_grad()
    out = model(xe)
    out.gather(1, ye.view(-1, 1)).sum().backward()
    h1.remove()
    h2.remove()
    acts, grads = store["activations"], store["gradients"]
    weights = grads.mean(dim=(2, 3), keepdim=True)
    cam = F.relu((weights * acts).sum(dim=1, keepdim=True))
    cam = F.interpolate(cam, size=(H, W), mode="bilinear", align_corners=False)
    cam_norm = cam / (cam.amax(dim=(2, 3), keepdim=True) + 1e-8)

    # guided backpropagation: every ReLU's full backward hook replaces grad_input by its positive part
    def guided(module, grad_input, grad_output):
        return (torch.clamp(grad_input[0], min=0.0),)

    handles = [m.register_full_backward_hook(guided) for m in model.modules() if isinstance(m, nn.ReLU)]
    x = xe.clone().requires_grad_(True)
    model.zero_grad()
    model(x).gather(1, ye.view(-1, 1)).sum().backward()
    for h in handles:
        h.remove()
    guided_bp = x.grad.clone()

    # ---- WGAN-GP-style gradient penalty into the weights ----
    mix = torch.rand((BATCH, 1, 1, 1), generator=g, dtype=torch.float64)
    real, fake = train_x[:BATCH], train_x[BATCH:2 * BATCH].flip(3)
    penalty = {}
    for mode in ("train", "eval"):
        model.train(mode == "train")
        model.zero_grad()
        interp = (mix * real + (1 - mix) * fake).requires_grad_(True)
        critic = model(interp)
        grad = torch.autograd.grad(outputs=critic, inputs=interp, grad_outputs=torch.ones_like(critic),
                                   create_graph=True, retain_graph=True)[0]
        grad = grad.view(grad.size(0), -1)
        gp = ((grad.norm(2, dim=1) - 1) ** 2).mean()
        (GP_WEIGHT * gp).backward()
        penalty[mode] = {"gp": gp.item(), "gradNorms": enc(grad.norm(2, dim=1)),
                         "paramGrads": {n: enc(p.grad) for n, p in model.named_parameters()},
                         "buffers": {n: enc(b) for n, b in model.named_buffers()}}

    write_json(out_dir, "port-robust.json", {
        **HEADER,
        "config": {"steps": STEPS, "pgdSteps": PGD_STEPS, "eps": EPS, "alpha": ALPHA, "igSteps": IG_STEPS,
                   "sgSamples": SG_SAMPLES, "sgSigma": SG_SIGMA, "nExplain": N_EXPLAIN, "gpWeight": GP_WEIGHT,
                   "height": H, "width": W},
        "trainX": enc(train_x), "trainY": enc(train_y), "testX": enc(test_x), "testY": enc(test_y),
        "batches": [enc(b) for b in batches], "starts": [enc(s) for s in starts], "testStart": enc(test_start),
        "fgsmInit": enc(fgsm_init), "initGradsAfterFgsm": init_grads_after_fgsm, "before": before,
        "steps": steps, "xRobust": enc(x_rob), "fgsmFinal": enc(fgsm_final), "after": after, "final": final_sd,
        "explain": {"saliency": enc(saliency), "gradXInput": enc(grad_x_input), "baseline": enc(baseline),
                    "ig": enc(ig), "igDelta": ig_delta, "noise": enc(noise), "smoothGrad": enc(smooth),
                    "camActivations": enc(acts), "camGradients": enc(grads), "cam": enc(cam), "camNorm": enc(cam_norm),
                    "guidedBackprop": enc(guided_bp)},
        "penalty": {"mix": enc(mix), **penalty},
    })


if __name__ == "__main__":
    main()
