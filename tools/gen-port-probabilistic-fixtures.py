#!/usr/bin/python3
"""torch 1.13 oracle for the probabilistic-models port (test/port-probabilistic.test.ts): three small
programs written with torch.distributions as PyTorch users write them, on 2-D two-moons data made
here, in float64 (torch.set_default_dtype(torch.float64) at the top):

1. a RealNVP normalizing flow (the well-known "RealNVP on two moons" notebook): affine coupling
   layers with alternating masks (a registered buffer), a scale net ending in Tanh and a translate
   net, the log-determinant accumulated in the forward (data → latent) pass, the base distribution
   MultivariateNormal(zeros(2), eye(2)); loss -(prior.log_prob(z) + log_det).mean(), Adam; then
   sampling through the inverse from base noise drawn here, and log-densities on a grid;
2. a mixture density network: an MLP whose head gives K logits, K means and K log-stds →
   MixtureSameFamily(Categorical(logits=…), Independent(Normal(loc, log_std.exp()), 1));
   loss -log_prob(y).mean(), Adam; the mixture's mean and variance at the end;
3. a "Bayes by backprop" regression: two mean-field Gaussian linear layers with weights
   mu + softplus(rho) * eps (eps drawn here, given to the Tensile side), the prior term
   kl_divergence(Normal(mu, sigma), Normal(0, 1)).sum(), a Normal likelihood with a learned softplus
   scale, loss = -(log_lik.sum() - kl) / N, Adam; plus TransformedDistribution(Normal, [ExpTransform()])
   (a LogNormal) log_prob / cdf / rsample / mean checks and their gradients.

Nothing random is compared: the data, the flow's base noise and the Bayesian layers' eps are drawn
here and written out as inputs. Run from the repository root:

    /usr/bin/python3 tools/gen-port-probabilistic-fixtures.py [--out DIR]

Writes fixtures/port-probabilistic.json and port-probabilistic-{flow,mdn,bayes}-init.pt.
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
from torch.distributions import (  # noqa: E402
    Categorical, Independent, LogNormal, MixtureSameFamily, MultivariateNormal, Normal, TransformedDistribution,
    kl_divergence)
from torch.distributions.transforms import ExpTransform  # noqa: E402

from torchfix.fixio import enc, write_json  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = {"generator": "tools/gen-port-probabilistic-fixtures.py", "torch": torch.__version__}

N = 64
FLOW_HIDDEN, FLOW_LAYERS, FLOW_STEPS, FLOW_LR, FLOW_SAMPLES = 16, 4, 12, 1e-2, 16
MDN_HIDDEN, MDN_K, MDN_STEPS, MDN_LR = 16, 3, 10, 1e-2
BAYES_HIDDEN, BAYES_STEPS, BAYES_LR = 8, 10, 2e-2


def make_moons(n, g, noise=0.1):
    """sklearn's make_moons, written with torch: two interleaved half circles plus Gaussian noise."""
    n_out = n // 2
    t_out = torch.linspace(0, math.pi, n_out)
    t_in = torch.linspace(0, math.pi, n - n_out)
    outer = torch.stack([torch.cos(t_out), torch.sin(t_out)], 1)
    inner = torch.stack([1 - torch.cos(t_in), 1 - torch.sin(t_in) - 0.5], 1)
    x = torch.cat([outer, inner])
    return x + noise * torch.randn(x.shape, generator=g)


# ---------------------------------------------------------------- 1. RealNVP

class RealNVP(nn.Module):
    def __init__(self, nets, nett, mask, prior):
        super().__init__()
        self.prior = prior
        self.register_buffer("mask", mask)
        self.t = nn.ModuleList([nett() for _ in range(len(mask))])
        self.s = nn.ModuleList([nets() for _ in range(len(mask))])

    def g(self, z):
        """latent → data (the inverse pass, for sampling)."""
        x = z
        for i in range(len(self.t)):
            x_ = x * self.mask[i]
            s = self.s[i](x_) * (1 - self.mask[i])
            t = self.t[i](x_) * (1 - self.mask[i])
            x = x_ + (1 - self.mask[i]) * (x * torch.exp(s) + t)
        return x

    def f(self, x):
        """data → latent, with log |det J|."""
        log_det_J, z = x.new_zeros(x.shape[0]), x
        for i in reversed(range(len(self.t))):
            z_ = self.mask[i] * z
            s = self.s[i](z_) * (1 - self.mask[i])
            t = self.t[i](z_) * (1 - self.mask[i])
            z = (1 - self.mask[i]) * (z - t) * torch.exp(-s) + z_
            log_det_J -= s.sum(dim=1)
        return z, log_det_J

    def log_prob(self, x):
        z, logp = self.f(x)
        return self.prior.log_prob(z) + logp


def make_flow():
    nets = lambda: nn.Sequential(nn.Linear(2, FLOW_HIDDEN), nn.LeakyReLU(), nn.Linear(FLOW_HIDDEN, FLOW_HIDDEN),
                                 nn.LeakyReLU(), nn.Linear(FLOW_HIDDEN, 2), nn.Tanh())
    nett = lambda: nn.Sequential(nn.Linear(2, FLOW_HIDDEN), nn.LeakyReLU(), nn.Linear(FLOW_HIDDEN, FLOW_HIDDEN),
                                 nn.LeakyReLU(), nn.Linear(FLOW_HIDDEN, 2))
    masks = torch.tensor([[0, 1], [1, 0]] * (FLOW_LAYERS // 2), dtype=torch.float64)
    prior = MultivariateNormal(torch.zeros(2), torch.eye(2))
    return RealNVP(nets, nett, masks, prior)


def run_flow(out_dir, data, g):
    torch.manual_seed(1)
    flow = make_flow()
    torch.save(flow.state_dict(), os.path.join(out_dir, "port-probabilistic-flow-init.pt"))
    optimizer = torch.optim.Adam([p for p in flow.parameters() if p.requires_grad], lr=FLOW_LR)
    losses = []
    for _ in range(FLOW_STEPS):
        loss = -flow.log_prob(data).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    z_data, log_det = flow.f(data)
    noise = torch.randn(FLOW_SAMPLES, 2, generator=g)
    with torch.no_grad():
        samples = flow.g(noise)
        lin = torch.linspace(-1.5, 2.5, 5)
        grid = torch.stack(torch.meshgrid(lin, lin, indexing="xy"), -1).reshape(-1, 2)
        grid_lp = flow.log_prob(grid)
    return {"losses": losses, "final": {k: enc(v) for k, v in flow.state_dict().items()},
            "zData": enc(z_data), "logDet": enc(log_det), "noise": enc(noise), "samples": enc(samples),
            "grid": enc(grid), "gridLogProb": enc(grid_lp), "priorLogProbNoise": enc(flow.prior.log_prob(noise))}


# ---------------------------------------------------------------- 2. mixture density network

class MDN(nn.Module):
    def __init__(self, n_in, n_hidden, k, d):
        super().__init__()
        self.k, self.d = k, d
        self.body = nn.Sequential(nn.Linear(n_in, n_hidden), nn.Tanh())
        self.logits = nn.Linear(n_hidden, k)
        self.means = nn.Linear(n_hidden, k * d)
        self.log_stds = nn.Linear(n_hidden, k * d)

    def forward(self, x):
        h = self.body(x)
        loc = self.means(h).view(-1, self.k, self.d)
        scale = self.log_stds(h).view(-1, self.k, self.d).exp()
        mix = Categorical(logits=self.logits(h))
        comp = Independent(Normal(loc, scale), 1)
        return MixtureSameFamily(mix, comp)


def run_mdn(out_dir, data):
    torch.manual_seed(2)
    model = MDN(1, MDN_HIDDEN, MDN_K, 1)
    torch.save(model.state_dict(), os.path.join(out_dir, "port-probabilistic-mdn-init.pt"))
    optimizer = torch.optim.Adam(model.parameters(), lr=MDN_LR)
    x, y = data[:, :1], data[:, 1:]
    losses = []
    for _ in range(MDN_STEPS):
        loss = -model(x).log_prob(y).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    with torch.no_grad():
        xs = torch.linspace(-1, 2, 7).unsqueeze(1)
        dist = model(xs)
        ys = torch.linspace(-1, 1.5, 6).view(6, 1, 1)  # every y at every x: (6, 7, 1) broadcast with batch (7,)
        return {"losses": losses, "final": {k: enc(v) for k, v in model.state_dict().items()}, "xs": enc(xs),
                "mean": enc(dist.mean), "variance": enc(dist.variance), "ys": enc(ys), "gridLogProb": enc(dist.log_prob(ys)),
                "mixtureProbs": enc(dist.mixture_distribution.probs), "componentMean": enc(dist.component_distribution.mean)}


# ---------------------------------------------------------------- 3. Bayes by backprop

class BayesLinear(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.w_mu = nn.Parameter(torch.empty(n_out, n_in).uniform_(-0.5, 0.5))
        self.w_rho = nn.Parameter(torch.full((n_out, n_in), -3.0))
        self.b_mu = nn.Parameter(torch.empty(n_out).uniform_(-0.5, 0.5))
        self.b_rho = nn.Parameter(torch.full((n_out,), -3.0))

    def forward(self, x, eps_w, eps_b):
        w_sigma, b_sigma = F.softplus(self.w_rho), F.softplus(self.b_rho)
        w = self.w_mu + w_sigma * eps_w
        b = self.b_mu + b_sigma * eps_b
        self.kl = (kl_divergence(Normal(self.w_mu, w_sigma), Normal(0.0, 1.0)).sum()
                   + kl_divergence(Normal(self.b_mu, b_sigma), Normal(0.0, 1.0)).sum())
        return F.linear(x, w, b)


class BayesNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = BayesLinear(1, BAYES_HIDDEN)
        self.l2 = BayesLinear(BAYES_HIDDEN, 1)
        self.raw_noise = nn.Parameter(torch.tensor(0.0))

    def forward(self, x, eps):
        h = torch.tanh(self.l1(x, eps["w1"], eps["b1"]))
        return self.l2(h, eps["w2"], eps["b2"])

    def kl(self):
        return self.l1.kl + self.l2.kl


def run_bayes(out_dir, data, g):
    torch.manual_seed(3)
    model = BayesNet()
    torch.save(model.state_dict(), os.path.join(out_dir, "port-probabilistic-bayes-init.pt"))
    optimizer = torch.optim.Adam(model.parameters(), lr=BAYES_LR)
    x, y = data[:, :1], data[:, 1:]
    shapes = {"w1": (BAYES_HIDDEN, 1), "b1": (BAYES_HIDDEN,), "w2": (1, BAYES_HIDDEN), "b2": (1,)}
    steps = []
    for _ in range(BAYES_STEPS):
        eps = {k: torch.randn(s, generator=g) for k, s in shapes.items()}
        pred = model(x, eps)
        lik = Normal(pred, F.softplus(model.raw_noise))
        log_lik = lik.log_prob(y).sum()
        kl = model.kl()
        loss = -(log_lik - kl) / N
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        steps.append({"eps": {k: enc(v) for k, v in eps.items()}, "loss": loss.item(), "logLik": log_lik.item(),
                      "kl": kl.item()})
    return {"steps": steps, "final": {k: enc(v) for k, v in model.state_dict().items()}}


def lognormal_checks():
    loc = torch.tensor([0.0, 0.5, -0.3], requires_grad=True)
    scale = torch.tensor([1.0, 0.4, 2.0], requires_grad=True)
    base = Normal(loc, scale)
    d = TransformedDistribution(base, [ExpTransform()])
    ref = LogNormal(loc, scale)
    v = torch.tensor([[0.5, 1.0, 3.0], [2.0, 0.1, 0.7]])
    lp, cdf = d.log_prob(v), d.cdf(v)
    (lp.sum() + cdf.sum()).backward()
    eps = torch.tensor([[0.3, -1.2, 0.8]])
    rs = torch.exp(loc + scale * eps)  # what rsample gives with this base noise
    return {"loc": enc(loc), "scale": enc(scale), "value": enc(v), "logProb": enc(lp), "cdf": enc(cdf),
            "lognormalLogProb": enc(ref.log_prob(v)), "lognormalCdf": enc(ref.cdf(v)), "mean": enc(ref.mean),
            "variance": enc(ref.variance), "entropy": enc(ref.entropy()), "gradLoc": enc(loc.grad),
            "gradScale": enc(scale.grad), "eps": enc(eps), "rsample": enc(rs)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"))
    out_dir = ap.parse_args().out
    os.makedirs(out_dir, exist_ok=True)
    torch.set_default_dtype(torch.float64)
    g = torch.Generator().manual_seed(0)
    data = make_moons(N, g)
    fx = dict(HEADER)
    fx["config"] = {"n": N, "flowHidden": FLOW_HIDDEN, "flowLayers": FLOW_LAYERS, "flowLr": FLOW_LR,
                    "mdnHidden": MDN_HIDDEN, "mdnK": MDN_K, "mdnLr": MDN_LR, "bayesHidden": BAYES_HIDDEN,
                    "bayesLr": BAYES_LR}
    fx["data"] = enc(data)
    fx["flow"] = run_flow(out_dir, data, g)
    fx["mdn"] = run_mdn(out_dir, data)
    fx["bayes"] = run_bayes(out_dir, data, g)
    fx["lognormal"] = lognormal_checks()
    write_json(out_dir, "port-probabilistic.json", fx)


if __name__ == "__main__":
    main()
