#!/usr/bin/python3
"""PyTorch oracle for test/port-generative.test.ts: two small generative models written as the
PyTorch tutorials write them (pytorch/examples' VAE, made convolutional, and the DCGAN tutorial),
trained in float64 on 8×8 Fashion-MNIST images.

Run with Debian's torch: /usr/bin/python3 tools/gen-port-generative-fixtures.py [--out DIR]
(deterministic: the same bytes on every run). Writes into fixtures/ (or DIR):
  port-generative-vae.pt     the VAE's initial state_dict (float64, torch's default initialisation, seed 0)
  port-generative-gan.pt     {"G": ..., "D": ...}: the DCGAN pair's state_dicts after weights_init (seed 1)
  port-generative-gan-ckpt.pt  the tutorial-style checkpoint after the GAN's 15 steps: {"netG", "netD",
                             "optimizerG", "optimizerD" (Adam state_dicts), "epoch"}; a fresh process
                             resumes from it for 3 more steps (`resume`)
  port-generative.json       the images, the given noise, every step's losses and statistics, the
                             final state_dicts, and eval-mode outputs (see `vae_run` and `gan_run`);
                             torchvision.utils.make_grid on a few option sets, and the pixels
                             save_image writes for the VAE's decoded samples (`grid_cases`)

Images: the first 48 Fashion-MNIST training images (/usr/share/datasets/fashion-mnist), cropped to
the middle 24×24 and average-pooled 3×3 to 8×8, in [0, 1] (the VAE's BCE targets) and as
Normalize(0.5, 0.5) of that in [-1, 1] (the GAN's real images, as the Tanh generator makes).
Randomness cannot match torch's generator, so the VAE's eps and the GAN's noise are drawn here and
given to both sides; the models' initial weights come from torch through the .pt files.
"""
import argparse
import gzip
import io
import os
import sys

sys.dont_write_bytecode = True

import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402
import torchvision.utils as vutils  # noqa: E402
from PIL import Image  # noqa: E402
from torchfix.fixio import enc, write_json  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fixtures")
FASHION = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"
N_IMAGES, BATCH = 48, 8
VAE_STEPS, GAN_STEPS, RESUME_STEPS = 20, 15, 3
LATENT, NZ, NGF, NDF = 4, 4, 4, 4


def images():
    with gzip.open(FASHION, "rb") as f:
        raw = f.read(16 + N_IMAGES * 28 * 28)
    x = torch.tensor(list(raw[16:]), dtype=torch.float64).reshape(N_IMAGES, 1, 28, 28) / 255
    return F.avg_pool2d(x[:, :, 2:26, 2:26], 3)  # [N, 1, 8, 8] in [0, 1]


def t64(spec):
    return torch.tensor(spec["data"], dtype=torch.float64).reshape(spec["shape"])


def batch(data, step):
    i = (step * BATCH) % N_IMAGES
    return data[i:i + BATCH]


# ---- the convolutional VAE (pytorch/examples/vae with a conv encoder and decoder) ----
class VAE(nn.Module):
    def __init__(self, latent=LATENT):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 4, 3, stride=2, padding=1), nn.BatchNorm2d(4), nn.LeakyReLU(0.2), nn.Flatten())  # [B, 64]
        self.fc_mu = nn.Linear(64, latent)
        self.fc_logvar = nn.Linear(64, latent)
        self.decoder_input = nn.Linear(latent, 64)
        self.decoder = nn.Sequential(
            nn.Unflatten(1, (4, 4, 4)), nn.ConvTranspose2d(4, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid())

    def encode(self, x):
        h = self.encoder(x)
        return self.fc_mu(h), self.fc_logvar(h)

    def reparameterize(self, mu, logvar, eps):
        std = torch.exp(0.5 * logvar)
        return mu + eps * std

    def decode(self, z):
        return self.decoder(self.decoder_input(z))

    def forward(self, x, eps):
        mu, logvar = self.encode(x)
        return self.decode(self.reparameterize(mu, logvar, eps)), mu, logvar


def adam_state(optimizer):
    """Adam's per-parameter state (step, exp_avg, exp_avg_sq) in parameter order, and its param_groups' hyperparameters."""
    sd = optimizer.state_dict()
    return {
        "state": [{"step": float(st["step"]), "exp_avg": enc(st["exp_avg"]), "exp_avg_sq": enc(st["exp_avg_sq"])}
                  for _, st in sorted(sd["state"].items())],
        "group": {k: v for k, v in sd["param_groups"][0].items() if k != "params"},
    }


def loss_function(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld, bce, kld


def vae_run(out, data):
    torch.manual_seed(0)
    model = VAE().double()
    torch.save(model.state_dict(), os.path.join(out, "port-generative-vae.pt"))
    g = torch.Generator().manual_seed(100)
    eps = torch.randn(VAE_STEPS, BATCH, LATENT, generator=g, dtype=torch.float64)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    losses, bces, klds = [], [], []
    for step in range(VAE_STEPS):
        x = batch(data, step)
        optimizer.zero_grad()
        recon, mu, logvar = model(x, eps[step])
        loss, bce, kld = loss_function(recon, x, mu, logvar)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        bces.append(bce.item())
        klds.append(kld.item())
    model.eval()
    eval_x = data[:BATCH]
    eval_eps = torch.randn(BATCH, LATENT, generator=g, dtype=torch.float64)
    z = torch.randn(6, LATENT, generator=g, dtype=torch.float64)
    with torch.no_grad():
        recon, mu, logvar = model(eval_x, eval_eps)
        test_loss = loss_function(recon, eval_x, mu, logvar)[0].item()
        samples = model.decode(z)
        mu_only = model.decode(model.encode(eval_x)[0])  # the usual "reconstruct from the mean"
    return {
        "eps": enc(eps), "losses": losses, "bce": bces, "kld": klds,
        "final": {k: enc(v) for k, v in model.state_dict().items()},
        "evalEps": enc(eval_eps), "evalRecon": enc(recon), "evalMu": enc(mu), "evalLogvar": enc(logvar),
        "evalLoss": test_loss, "z": enc(z), "samples": enc(samples), "meanRecon": enc(mu_only),
        "repr": str(model), "adam": adam_state(optimizer),
    }


# ---- DCGAN (the PyTorch DCGAN tutorial, scaled down to 8×8 images) ----
class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(NZ, NGF * 2, 4, 1, 0, bias=False),  # 1×1 → 4×4
            nn.BatchNorm2d(NGF * 2),
            nn.ReLU(True),
            nn.ConvTranspose2d(NGF * 2, 1, 4, 2, 1, bias=False),  # 4×4 → 8×8
            nn.Tanh(),
        )

    def forward(self, input):
        return self.main(input)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(1, NDF, 4, 2, 1, bias=False),  # 8×8 → 4×4
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(NDF, NDF * 2, 4, 2, 1, bias=False),  # 4×4 → 2×2
            nn.BatchNorm2d(NDF * 2),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Dropout(p=0.0),
            nn.Conv2d(NDF * 2, 1, 2, 1, 0, bias=False),  # 2×2 → 1×1
            nn.Sigmoid(),
        )

    def forward(self, input):
        return self.main(input)


def weights_init(m):
    classname = m.__class__.__name__
    if classname.find("Conv") != -1:
        nn.init.normal_(m.weight.data, 0.0, 0.02)
    elif classname.find("BatchNorm") != -1:
        nn.init.normal_(m.weight.data, 1.0, 0.02)
        nn.init.constant_(m.bias.data, 0)


def train_step(netG, netD, optimizerD, optimizerG, criterion, real, noise):
    """One iteration of the DCGAN tutorial's loop; returns the numbers it prints."""
    real_label, fake_label = 1.0, 0.0
    # (1) Update D: maximize log(D(x)) + log(1 - D(G(z)))
    netD.zero_grad()
    b_size = real.size(0)
    label = torch.full((b_size,), real_label, dtype=torch.float64)
    output = netD(real).view(-1)
    errD_real = criterion(output, label)
    errD_real.backward()
    D_x = output.mean().item()
    fake = netG(noise)
    label.fill_(fake_label)
    output = netD(fake.detach()).view(-1)
    errD_fake = criterion(output, label)
    errD_fake.backward()
    D_G_z1 = output.mean().item()
    errD = errD_real + errD_fake
    optimizerD.step()
    # (2) Update G: maximize log(D(G(z)))
    netG.zero_grad()
    label.fill_(real_label)
    output = netD(fake).view(-1)
    errG = criterion(output, label)
    errG.backward()
    D_G_z2 = output.mean().item()
    optimizerG.step()
    return {"errD": errD.item(), "errG": errG.item(), "errDReal": errD_real.item(), "errDFake": errD_fake.item(),
            "Dx": D_x, "DGz1": D_G_z1, "DGz2": D_G_z2}


def adams(netG, netD):
    return (torch.optim.Adam(netD.parameters(), lr=2e-3, betas=(0.5, 0.999)),
            torch.optim.Adam(netG.parameters(), lr=2e-3, betas=(0.5, 0.999)))


def gan_run(out, data):
    torch.manual_seed(1)
    netG = Generator().double()
    netG.apply(weights_init)
    netD = Discriminator().double()
    netD.apply(weights_init)
    torch.save({"G": netG.state_dict(), "D": netD.state_dict()}, os.path.join(out, "port-generative-gan.pt"))
    real_images = data * 2 - 1  # Normalize((0.5,), (0.5,))
    g = torch.Generator().manual_seed(200)
    noise = torch.randn(GAN_STEPS + RESUME_STEPS, BATCH, NZ, 1, 1, generator=g, dtype=torch.float64)
    fixed_noise = torch.randn(6, NZ, 1, 1, generator=g, dtype=torch.float64)
    criterion = nn.BCELoss()
    optimizerD, optimizerG = adams(netG, netD)
    rec = {"errD": [], "errG": [], "errDReal": [], "errDFake": [], "Dx": [], "DGz1": [], "DGz2": []}
    for step in range(GAN_STEPS):
        for k, v in train_step(netG, netD, optimizerD, optimizerG, criterion, batch(real_images, step), noise[step]).items():
            rec[k].append(v)
    # the usual checkpoint, then a fresh process resuming from it for RESUME_STEPS more iterations
    ckpt = os.path.join(out, "port-generative-gan-ckpt.pt")
    torch.save({"netG": netG.state_dict(), "netD": netD.state_dict(), "optimizerG": optimizerG.state_dict(),
                "optimizerD": optimizerD.state_dict(), "epoch": GAN_STEPS}, ckpt)
    resumed = resume(ckpt, real_images, noise, criterion)
    adam = {"adamG": adam_state(optimizerG), "adamD": adam_state(optimizerD)}
    # the tutorial's progress images: G(fixed_noise) under no_grad, still in training mode (BatchNorm
    # uses the batch's statistics and updates its running ones), then in eval mode
    with torch.no_grad():
        fixed_train = netG(fixed_noise).detach()
    netG.eval()
    netD.eval()
    with torch.no_grad():
        fixed_eval = netG(fixed_noise)
        d_eval = netD(real_images[:BATCH]).view(-1)
    return {
        "noise": enc(noise), "fixedNoise": enc(fixed_noise), **rec,
        "finalG": {k: enc(v) for k, v in netG.state_dict().items()},
        "finalD": {k: enc(v) for k, v in netD.state_dict().items()},
        "fixedTrain": enc(fixed_train), "fixedEval": enc(fixed_eval), "dEval": enc(d_eval),
        "reprG": str(netG), "reprD": str(netD), **adam, "resume": resumed,
        # the tutorial's img_list entry
        "grid": enc(vutils.make_grid(fixed_train, padding=2, normalize=True)),
    }


def resume(ckpt, real_images, noise, criterion):
    checkpoint = torch.load(ckpt)
    netG, netD = Generator().double(), Discriminator().double()
    netG.load_state_dict(checkpoint["netG"])
    netD.load_state_dict(checkpoint["netD"])
    optimizerD, optimizerG = adams(netG, netD)
    optimizerG.load_state_dict(checkpoint["optimizerG"])
    optimizerD.load_state_dict(checkpoint["optimizerD"])
    netG.train()
    netD.train()
    rec = {"errD": [], "errG": []}
    for step in range(checkpoint["epoch"], checkpoint["epoch"] + RESUME_STEPS):
        stats = train_step(netG, netD, optimizerD, optimizerG, criterion, batch(real_images, step), noise[step])
        rec["errD"].append(stats["errD"])
        rec["errG"].append(stats["errG"])
    return {**rec, "finalG": {k: enc(v) for k, v in netG.state_dict().items()},
            "finalD": {k: enc(v) for k, v in netD.state_dict().items()}, "adamG": adam_state(optimizerG)}


def grid_cases(data, samples):
    """torchvision.utils.make_grid's options on the images and the VAE's samples, and save_image's pixels."""
    x = data[:5]
    cases = [
        ("defaults", data[:3], {}),
        ("nrow 2, padding 1, pad value 0.5", x, {"nrow": 2, "padding": 1, "pad_value": 0.5}),
        ("normalize, scale each", x * 3 - 1, {"nrow": 4, "normalize": True, "scale_each": True}),
        ("normalize, value range", x, {"nrow": 3, "normalize": True, "value_range": (0.2, 0.7)}),
        ("one image [1, H, W]", x[0], {}),
        ("one image [H, W]", x[0, 0], {"padding": 5}),
        ("three channels", x[:, 0:1].expand(5, 3, 8, 8) * torch.tensor([1.0, 0.5, 0.25], dtype=torch.float64).view(1, 3, 1, 1), {"nrow": 5, "padding": 0}),
    ]
    out = [{"name": n, "input": enc(t), "options": {k: list(v) if isinstance(v, tuple) else v for k, v in o.items()},
            "grid": enc(vutils.make_grid(t, **o))} for n, t, o in cases]
    buf = io.BytesIO()
    vutils.save_image(samples, buf, format="png", nrow=3)
    png = Image.open(io.BytesIO(buf.getvalue()))
    pixels = torch.tensor(list(png.tobytes()), dtype=torch.int32)
    return {"cases": out, "saveImage": {"input": enc(samples), "nrow": 3, "mode": png.mode, "size": list(png.size), "pixels": enc(pixels)}}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=OUT)
    out = ap.parse_args().out
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    data = images()
    vae = vae_run(out, data)
    write_json(out, "port-generative.json", {
        "torch": torch.__version__, "batch": BATCH, "images": enc(data),
        "vae": vae, "gan": gan_run(out, data), "grids": grid_cases(data, t64(vae["samples"])),
    })


if __name__ == "__main__":
    main()
