#!/usr/bin/python3
"""PyTorch oracle for the Vision Transformer port (test/port-vit.test.ts): writes fixtures/port-vit.json,
port-vit-init.pt (both models' initial state dicts) and port-vit-final.pt (both after training).

Run with Debian's torch 1.13 (`/usr/bin/python3 tools/gen-port-vit-fixtures.py [--out DIR]`;
deterministic: the same bytes on every run).

The program is a tiny ViT as users write it from scratch for torch 1.13 (no
scaled_dot_product_attention), on 3×8×8 images made here, in float64:
- PatchEmbed (Conv2d with kernel = stride = patch, flatten(2).transpose(1, 2)), a zero cls token
  expanded to the batch and concatenated, a learned position embedding (trunc_normal_, std .02);
- hand-written blocks: LayerNorm(eps=1e-6) → multi-head attention (qkv Linear, reshape/permute,
  q @ kᵀ · scale, softmax, (attn @ v).transpose(1, 2).reshape, proj) → residual; MLP with GELU
  (the second block with approximate='tanh') → residual; the head on the cls token;
  timm's `_init_weights` through model.apply (trunc_normal_/zeros_/ones_ per module type);
- a second model whose blocks are nn.TransformerEncoderLayer(activation="gelu", norm_first=True,
  batch_first=True) — the same program otherwise;
- AdamW (betas (0.9, 0.999), weight decay 0.05 except 1-D parameters, cls token and position
  embedding, by parameter groups), CosineAnnealingWarmRestarts(T_0=5, T_mult=2) stepped per
  iteration with fractional epochs (scheduler.step(epoch + i / iters)), CrossEntropyLoss with label
  smoothing 0.1, clip_grad_norm_(error_if_nonfinite=True), 20 steps;
- the last block's attention maps captured by a forward hook on its attn_drop (an nn.Dropout(0.)
  the maps pass through; for the TransformerEncoderLayer model a forward pre-hook takes the last
  layer's input and self_attn is called with need_weights=True), eval-mode predictions under no_grad,
  and the parameter count sum(p.numel() for p in model.parameters() if p.requires_grad);
- for the hand-written model: attention rollout over both blocks (hooks on every block), and the
  trained model at a higher resolution (12×12 images, a 3×3 patch grid) with its position embedding
  resampled bicubically as timm's resample_abs_pos_embed does.
Dropout is 0 everywhere, so nothing random is drawn after the weights are made. The batch orders
are drawn here and written out (inputs of the Tensile side).
"""
import argparse
import copy
import math
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

IMG, PATCH, DIM, HEADS, DEPTH, MLP_DIM, CLASSES = 8, 4, 16, 2, 2, 32, 4
N_TRAIN, N_TEST, BATCH, EPOCHS = 16, 8, 8, 10  # 2 iterations per epoch: 20 steps
LR, WEIGHT_DECAY, MAX_NORM = 3e-3, 0.05, 1.0
T_0, T_MULT = 5, 2
BIG_IMG = 12  # fine-tuning at a higher resolution: a 3×3 patch grid, the position embedding resampled


class PatchEmbed(nn.Module):
    def __init__(self, img_size=IMG, patch_size=PATCH, in_chans=3, embed_dim=DIM):
        super().__init__()
        self.num_patches = (img_size // patch_size) ** 2
        self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)  # B, N, D


class Attention(nn.Module):
    def __init__(self, dim, num_heads=HEADS, qkv_bias=True):
        super().__init__()
        self.num_heads = num_heads
        head_dim = dim // num_heads
        self.scale = head_dim ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.attn_drop = nn.Dropout(0.0)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, C // self.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = (q @ k.transpose(-2, -1)) * self.scale
        attn = attn.softmax(dim=-1)
        attn = self.attn_drop(attn)
        x = (attn @ v).transpose(1, 2).reshape(B, N, C)
        return self.proj(x)


class Mlp(nn.Module):
    def __init__(self, dim, hidden, approximate="none"):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU(approximate=approximate)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim, num_heads, mlp_dim, approximate="none"):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, num_heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, mlp_dim, approximate)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        x = x + self.mlp(self.norm2(x))
        return x


class VisionTransformer(nn.Module):
    def __init__(self, num_classes=CLASSES, torch_layers=False):
        super().__init__()
        self.patch_embed = PatchEmbed()
        num_patches = self.patch_embed.num_patches
        self.cls_token = nn.Parameter(torch.zeros(1, 1, DIM))
        self.pos_embed = nn.Parameter(torch.zeros(1, num_patches + 1, DIM))
        self.pos_drop = nn.Dropout(p=0.0)
        if torch_layers:
            self.blocks = nn.ModuleList([
                nn.TransformerEncoderLayer(DIM, HEADS, MLP_DIM, dropout=0.0, activation="gelu", layer_norm_eps=1e-6,
                                           batch_first=True, norm_first=True)
                for _ in range(DEPTH)])
        else:
            self.blocks = nn.ModuleList([Block(DIM, HEADS, MLP_DIM, "tanh" if i == 1 else "none") for i in range(DEPTH)])
        self.norm = nn.LayerNorm(DIM, eps=1e-6)
        self.head = nn.Linear(DIM, num_classes)
        nn.init.trunc_normal_(self.pos_embed, std=.02)
        self.init_log = []
        self.apply(self._init_weights)

    def _init_weights(self, m):
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
            self.init_log.append("linear")
        elif isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
            self.init_log.append("layernorm")

    def forward_features(self, x):
        B = x.shape[0]
        x = self.patch_embed(x)
        cls_tokens = self.cls_token.expand(B, -1, -1)
        x = torch.cat((cls_tokens, x), dim=1)
        x = x + self.pos_embed
        x = self.pos_drop(x)
        for blk in self.blocks:
            x = blk(x)
        x = self.norm(x)
        return x[:, 0]

    def forward(self, x):
        return self.head(self.forward_features(x))


def param_groups(model):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        if p.ndim <= 1 or name in ("cls_token", "pos_embed"):
            no_decay.append(p)
        else:
            decay.append(p)
    return [{"params": decay, "weight_decay": WEIGHT_DECAY}, {"params": no_decay, "weight_decay": 0.0}]


def make_images(gen, n, size=IMG):
    labels = torch.randint(0, CLASSES, (n,), generator=gen)
    patterns = torch.randn(CLASSES, 3, size, size, generator=gen)
    x = patterns[labels] + 0.75 * torch.randn(n, 3, size, size, generator=gen)
    return ((x * 32).round() / 32).double(), labels  # multiples of 1/32: short in JSON, exact in float64


def train(model, train_x, train_y, orders):
    optimizer = torch.optim.AdamW(param_groups(model), lr=LR, betas=(0.9, 0.999), weight_decay=WEIGHT_DECAY)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(optimizer, T_0=T_0, T_mult=T_MULT)
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
    iters = N_TRAIN // BATCH
    losses, lrs, norms = [], [], []
    model.train()
    for epoch in range(EPOCHS):
        order = orders[epoch]
        for i in range(iters):
            idx = torch.tensor(order[i * BATCH:(i + 1) * BATCH])
            x, y = train_x[idx], train_y[idx]
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            norms.append(torch.nn.utils.clip_grad_norm_(model.parameters(), MAX_NORM, error_if_nonfinite=True).item())
            lrs.append([g["lr"] for g in optimizer.param_groups])
            optimizer.step()
            scheduler.step(epoch + i / iters)
            losses.append(loss.item())
    return {"losses": losses, "lrs": lrs, "gradNorms": norms, "lastLr": scheduler.get_last_lr(),
            "scheduler": {k: v for k, v in scheduler.state_dict().items() if k in ("T_cur", "T_i", "last_epoch")}}


def evaluate(model, test_x, torch_layers):
    maps = []
    if torch_layers:  # the layer calls self_attn with need_weights=False: take its input, ask again
        inputs = []
        handle = model.blocks[-1].register_forward_pre_hook(lambda m, args: inputs.append(args[0]))
    else:
        handle = model.blocks[-1].attn.attn_drop.register_forward_hook(lambda m, args, out: maps.append(out))
    model.eval()
    with torch.no_grad():
        logits = model(test_x)
        if torch_layers:
            layer = model.blocks[-1]
            h = layer.norm1(inputs[0])
            maps.append(layer.self_attn(h, h, h, need_weights=True, average_attn_weights=False)[1])
    handle.remove()
    preds = logits.argmax(dim=1)
    probs = logits.softmax(dim=-1)
    return {"logits": enc(logits), "preds": preds.tolist(), "probs": enc(probs), "attn": enc(maps[0]),
            "clsAttn": enc(maps[0][:, :, 0, 1:].mean(dim=1).reshape(-1, IMG // PATCH, IMG // PATCH))}


def resample_pos_embed(pos_embed, new_grid):
    """timm's resample_abs_pos_embed: the patch positions as a grid, resized bicubically; the cls position kept."""
    cls_pos, patch_pos = pos_embed[:, :1], pos_embed[:, 1:]
    old_grid = int(math.sqrt(patch_pos.shape[1]))
    patch_pos = patch_pos.reshape(1, old_grid, old_grid, -1).permute(0, 3, 1, 2)
    patch_pos = F.interpolate(patch_pos, size=(new_grid, new_grid), mode="bicubic", align_corners=False)
    patch_pos = patch_pos.permute(0, 2, 3, 1).reshape(1, new_grid * new_grid, -1)
    return torch.cat([cls_pos, patch_pos], dim=1)


def attention_rollout(model, x):
    """Abnar & Zuidema's rollout: every block's maps (forward hooks), averaged over heads, with the identity
    for the residual, rows renormalised, multiplied through the blocks; the cls row over the patches."""
    maps = []
    handles = [blk.attn.attn_drop.register_forward_hook(lambda m, args, out: maps.append(out)) for blk in model.blocks]
    model.eval()
    with torch.no_grad():
        model(x)
        for h in handles:
            h.remove()
        n = maps[0].shape[-1]
        result = torch.eye(n, dtype=x.dtype).expand(x.shape[0], n, n)
        for attn in maps:
            a = attn.mean(dim=1) + torch.eye(n, dtype=x.dtype)
            a = a / a.sum(dim=-1, keepdim=True)
            result = a @ result
    return result[:, 0, 1:]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=OUT)
    out = ap.parse_args().out
    torch.set_num_threads(1)
    os.makedirs(out, exist_ok=True)

    gen = torch.Generator().manual_seed(7)
    train_x, train_y = make_images(gen, N_TRAIN)
    test_x, test_y = make_images(gen, N_TEST)
    orders = [torch.randperm(N_TRAIN, generator=gen).tolist() for _ in range(EPOCHS)]
    big_x, _ = make_images(gen, N_TEST, size=BIG_IMG)

    init, final, variants = {}, {}, {}
    for name, torch_layers in (("hand", False), ("layers", True)):
        torch.manual_seed(0)
        model = VisionTransformer(torch_layers=torch_layers).double()
        init[name] = {k: v.clone() for k, v in model.state_dict().items()}  # state_dict() shares storage
        init_log = model.init_log
        n_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
        groups = param_groups(model)
        run = train(model, train_x, train_y, orders)
        final[name] = model.state_dict()
        variants[name] = {"initLog": init_log, "numParams": n_params, "groupSizes": [len(g["params"]) for g in groups],
                          "keys": list(init[name].keys()), **run, "eval": evaluate(model, test_x, torch_layers)}
        if not torch_layers:
            variants[name]["rollout"] = enc(attention_rollout(model, test_x))
            big = copy.deepcopy(model)
            big.pos_embed = nn.Parameter(resample_pos_embed(model.pos_embed.detach(), BIG_IMG // PATCH))
            big.eval()
            with torch.no_grad():
                variants[name]["bigPosEmbed"] = enc(big.pos_embed)
                variants[name]["bigLogits"] = enc(big(big_x))
    torch.save(init, os.path.join(out, "port-vit-init.pt"))
    torch.save(final, os.path.join(out, "port-vit-final.pt"))

    # CosineAnnealingWarmRestarts alone over 40 epochs (restarts at 5, 15, 35), 4 fractional steps each
    opt = torch.optim.AdamW([nn.Parameter(torch.zeros(1))], lr=LR)
    sched = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=T_0, T_mult=T_MULT, eta_min=1e-5)
    schedule = []
    for epoch in range(40):
        for i in range(4):
            sched.step(epoch + i / 4)
            schedule.append(sched.get_last_lr()[0])

    # clip_grad_norm_(error_if_nonfinite=True) on a NaN gradient: torch's message
    p = nn.Parameter(torch.ones(2, dtype=torch.float64))
    p.grad = torch.tensor([1.0, math.nan], dtype=torch.float64)
    try:
        torch.nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
        nonfinite_error = None
    except RuntimeError as e:
        nonfinite_error = str(e)

    write_json(out, "port-vit.json", {
        "torch": torch.__version__,
        "config": {"img": IMG, "patch": PATCH, "dim": DIM, "heads": HEADS, "depth": DEPTH, "mlpDim": MLP_DIM, "classes": CLASSES,
                   "batch": BATCH, "epochs": EPOCHS, "lr": LR, "weightDecay": WEIGHT_DECAY, "maxNorm": MAX_NORM, "t0": T_0, "tMult": T_MULT},
        "train": {"x": enc(train_x), "y": train_y.tolist()},
        "test": {"x": enc(test_x), "y": test_y.tolist()},
        "big": {"img": BIG_IMG, "x": enc(big_x)},
        "orders": orders,
        "variants": variants,
        "schedule": {"etaMin": 1e-5, "perEpoch": 4, "lrs": schedule},
        "nonfiniteError": nonfinite_error,
    })


if __name__ == "__main__":
    main()
