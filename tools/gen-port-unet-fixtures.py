#!/usr/bin/python3
"""PyTorch oracle for the U-Net segmentation port (test/port-unet.test.ts): writes
fixtures/port-unet.json, port-unet-init-{bn_tconv,gn_bilinear}.pt, port-unet-ckpt.pt and port-unet-final.pt.

Run with Debian's torch 1.13 (`/usr/bin/python3 tools/gen-port-unet-fixtures.py [--out DIR]`;
deterministic: the same bytes on every run).

The program is a tiny U-Net for binary segmentation as PyTorch users write it, in float64 on 1×16×16
images whose masks (a rectangle and a disc per image) are made here:
- double-conv blocks (Conv2d padding=1 bias=False → BatchNorm2d, or GroupNorm(2, C) in the second
  variant → ReLU(inplace=True)), MaxPool2d(2) down, torch.cat([skip, up], dim=1), a 1×1 head;
- up by ConvTranspose2d(stride 2) in the first variant ("bn_tconv"), by
  F.interpolate(scale_factor=2, mode='bilinear', align_corners=True) + Conv2d in the second ("gn_bilinear");
- loss = BCEWithLogitsLoss(pos_weight=tensor) + a hand-written soft Dice loss (sigmoid, sums over dims 1,2,3);
- Adam, ReduceLROnPlateau(mode='min', factor=0.5, patience=1) stepped each epoch on the validation
  loss computed under no_grad in eval mode; 8 epochs of 2 batches (16 steps);
- eval-mode predicted masks (sigmoid > 0.5) and their IoU with the true masks on the validation set;
- a mid-run checkpoint of the first variant (model, optimizer and scheduler state dicts in one torch.save
  file), which the Tensile side resumes from.
No randomness in the loop (full batches in a fixed order). The final weights and buffers are in
port-unet-final.pt, the rest in the JSON.
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
OUT = os.path.join(ROOT, "fixtures")

N_TRAIN, N_VAL, BATCH, EPOCHS, SIZE = 16, 8, 8, 8, 16
LR, POS_WEIGHT, EPS = 0.05, 2.0, 1.0
CKPT_EPOCH = 3  # a checkpoint (model, Adam, ReduceLROnPlateau) after the fourth epoch of the BatchNorm run: one bad epoch counted


class DoubleConv(nn.Module):
    def __init__(self, cin, cout, norm):
        super().__init__()
        def make_norm(c):
            return nn.BatchNorm2d(c) if norm == "bn" else nn.GroupNorm(2, c)
        self.block = nn.Sequential(
            nn.Conv2d(cin, cout, 3, padding=1, bias=False), make_norm(cout), nn.ReLU(inplace=True),
            nn.Conv2d(cout, cout, 3, padding=1, bias=False), make_norm(cout), nn.ReLU(inplace=True),
        )

    def forward(self, x):
        return self.block(x)


class Up(nn.Module):
    def __init__(self, cin, cout, bilinear, norm):
        super().__init__()
        self.bilinear = bilinear
        if bilinear:
            self.up = nn.Conv2d(cin, cin // 2, 3, padding=1)
        else:
            self.up = nn.ConvTranspose2d(cin, cin // 2, kernel_size=2, stride=2)
        self.conv = DoubleConv(cin, cout, norm)

    def forward(self, x, skip):
        if self.bilinear:
            x = self.up(F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True))
        else:
            x = self.up(x)
        return self.conv(torch.cat([skip, x], dim=1))


class UNet(nn.Module):
    def __init__(self, norm="bn", bilinear=False, c=4):
        super().__init__()
        self.inc = DoubleConv(1, c, norm)
        self.down1 = nn.Sequential(nn.MaxPool2d(2), DoubleConv(c, 2 * c, norm))
        self.down2 = nn.Sequential(nn.MaxPool2d(2), DoubleConv(2 * c, 4 * c, norm))
        self.up1 = Up(4 * c, 2 * c, bilinear, norm)
        self.up2 = Up(2 * c, c, bilinear, norm)
        self.outc = nn.Conv2d(c, 1, kernel_size=1)

    def forward(self, x):
        x1 = self.inc(x)
        x2 = self.down1(x1)
        x3 = self.down2(x2)
        x = self.up1(x3, x2)
        x = self.up2(x, x1)
        return self.outc(x)


def dice_loss(logits, target, eps=EPS):
    p = torch.sigmoid(logits)
    inter = (p * target).sum(dim=[1, 2, 3])
    dice = (2 * inter + eps) / (p.sum(dim=[1, 2, 3]) + target.sum(dim=[1, 2, 3]) + eps)
    return 1 - dice.mean()


def make_data(gen, n):
    """Images: a bright rectangle and a dim disc on noise; the mask is the rectangle and the disc."""
    ys, xs = torch.meshgrid(torch.arange(SIZE, dtype=torch.float64), torch.arange(SIZE, dtype=torch.float64), indexing="ij")
    imgs, masks = [], []
    for _ in range(n):
        r0, c0 = torch.randint(0, 9, (2,), generator=gen).tolist()
        h, w = torch.randint(3, 7, (2,), generator=gen).tolist()
        cy, cx = torch.randint(3, 13, (2,), generator=gen).tolist()
        rad = 1.5 + torch.rand(1, generator=gen).item() * 2
        rect = (ys >= r0) & (ys < r0 + h) & (xs >= c0) & (xs < c0 + w)
        disc = (ys - cy) ** 2 + (xs - cx) ** 2 <= rad * rad
        mask = (rect | disc).double()
        img = 0.9 * rect.double() + 0.5 * disc.double() + 0.35 * torch.randn(SIZE, SIZE, generator=gen, dtype=torch.float64)
        imgs.append((img * 32).round() / 32)  # multiples of 1/32: short in JSON, exact in float64
        masks.append(mask)
    return torch.stack(imgs)[:, None], torch.stack(masks)[:, None]


def iou(pred, target):
    inter = (pred & target).sum(dim=[1, 2, 3]).double()
    union = (pred | target).sum(dim=[1, 2, 3]).double()
    return inter / union


def run(name, norm, bilinear, train_x, train_y, val_x, val_y, out):
    torch.manual_seed(0)
    model = UNet(norm=norm, bilinear=bilinear).double()
    torch.save(model.state_dict(), os.path.join(out, f"port-unet-init-{name}.pt"))
    criterion = nn.BCEWithLogitsLoss(pos_weight=torch.tensor([POS_WEIGHT], dtype=torch.float64))
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=1)
    losses, bce, dice, val_losses, lrs = [], [], [], [], []
    for epoch in range(EPOCHS):
        model.train()
        for i in range(0, N_TRAIN, BATCH):
            x, y = train_x[i:i + BATCH], train_y[i:i + BATCH]
            optimizer.zero_grad()
            logits = model(x)
            l_bce, l_dice = criterion(logits, y), dice_loss(logits, y)
            loss = l_bce + l_dice
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            bce.append(l_bce.item())
            dice.append(l_dice.item())
        model.eval()
        with torch.no_grad():
            logits = model(val_x)
            val_loss = (criterion(logits, val_y) + dice_loss(logits, val_y)).item()
        scheduler.step(val_loss)
        val_losses.append(val_loss)
        lrs.append(optimizer.param_groups[0]["lr"])
        if name == "bn_tconv" and epoch == CKPT_EPOCH:  # the usual checkpoint, which the Tensile side resumes from
            torch.save({"epoch": epoch + 1, "model": model.state_dict(), "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()},
                       os.path.join(out, "port-unet-ckpt.pt"))
    model.eval()
    with torch.no_grad():
        logits = model(val_x)
        pred = torch.sigmoid(logits) > 0.5
        ious = iou(pred, val_y.bool())
    return model, {
        "losses": losses, "bce": bce, "dice": dice, "valLosses": val_losses, "lrs": lrs,
        "evalLogits": enc(logits), "pred": enc(pred), "iou": enc(ious), "meanIou": ious.mean().item(),
        "numBadEpochs": scheduler.num_bad_epochs, "best": scheduler.best,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=OUT)
    out = ap.parse_args().out
    torch.set_num_threads(1)
    os.makedirs(out, exist_ok=True)
    gen = torch.Generator().manual_seed(3)
    train_x, train_y = make_data(gen, N_TRAIN)
    val_x, val_y = make_data(gen, N_VAL)
    runs, final = {}, {}
    for name, norm, bilinear in (("bn_tconv", "bn", False), ("gn_bilinear", "gn", True)):
        model, runs[name] = run(name, norm, bilinear, train_x, train_y, val_x, val_y, out)
        final[name] = model.state_dict()
    torch.save(final, os.path.join(out, "port-unet-final.pt"))
    write_json(out, "port-unet.json", {
        "torch": torch.__version__,
        "config": {"batch": BATCH, "epochs": EPOCHS, "ckptEpoch": CKPT_EPOCH, "lr": LR, "posWeight": POS_WEIGHT, "eps": EPS},
        "train": {"x": enc(train_x), "y": enc(train_y)},
        "val": {"x": enc(val_x), "y": enc(val_y)},
        "runs": runs,
    })


if __name__ == "__main__":
    main()
