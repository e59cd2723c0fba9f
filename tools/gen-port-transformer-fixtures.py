#!/usr/bin/python3
"""PyTorch oracle for the character-level Transformer port (test/port-transformer.test.ts): a small
causal language model written as the PyTorch tutorials write it, trained for 40 steps in float64,
then greedy generation and a checkpoint that Tensile resumes from.

Run with Debian's torch 1.13 (`/usr/bin/python3 tools/gen-port-transformer-fixtures.py [--out DIR]`;
deterministic: the same bytes on every run). Writes into fixtures/:
- port-transformer-init-post.pt, port-transformer-init-pre.pt: `torch.save(model.state_dict())` of
  the freshly built model, post-norm (norm_first=False) and pre-norm (norm_first=True) layers;
- port-transformer-ckpt.pt: the post-norm run after its 40 steps, as a user checkpoints it:
  {"model", "optimizer", "scheduler" state dicts, "step"};
- port-transformer.json: the vocabulary, the batches (token ids; padding is id 0), the sinusoidal
  table, per variant every step's loss, learning rate and pre-clipping gradient norm, the final
  parameters, the eval-mode logits of a padded batch, the greedy continuation of a prompt, and
  (post-norm) the 3 steps torch takes after reloading the checkpoint.

Dropout is 0, so no random numbers are drawn after the weights are made; the batches are fixed.
Everything is float64 (torch.set_default_dtype), so the causal mask and the sinusoidal table are
float64 too and tolerances can be tight.
"""
import argparse
import io
import math
import os
import sys

sys.dont_write_bytecode = True

import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
from torchfix.fixio import enc, write_json  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TEXT = "the cat sat on the warm mat; the dog lay by the door."
PAD = 0
D_MODEL, NHEAD, D_FF, LAYERS, MAX_LEN = 16, 2, 32, 2, 32
STEPS, MORE_STEPS, WARMUP, LR = 40, 3, 8, 1e-2
BATCH, SEQ = 4, 12
PROMPT, GEN = "the d", 10


class PositionalEncoding(nn.Module):
    """The tutorial's sinusoidal table, [1, max_len, d_model] (batch first), not in the state dict."""

    def __init__(self, d_model, max_len=MAX_LEN):
        super().__init__()
        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(1, max_len, d_model)
        pe[0, :, 0::2] = torch.sin(position * div_term)
        pe[0, :, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe, persistent=False)

    def forward(self, x):
        return x + self.pe[:, : x.size(1)]


class CharTransformer(nn.Module):
    def __init__(self, vocab_size, norm_first):
        super().__init__()
        self.d_model = D_MODEL
        self.emb = nn.Embedding(vocab_size, D_MODEL, padding_idx=PAD)
        self.pos = PositionalEncoding(D_MODEL)
        layer = nn.TransformerEncoderLayer(D_MODEL, NHEAD, dim_feedforward=D_FF, dropout=0.0, batch_first=True, norm_first=norm_first)
        self.encoder = nn.TransformerEncoder(layer, num_layers=LAYERS, norm=nn.LayerNorm(D_MODEL), enable_nested_tensor=False)
        self.head = nn.Linear(D_MODEL, vocab_size)
        self.head.weight = self.emb.weight  # weight tying

    def forward(self, x, pad_mask=None):
        mask = nn.Transformer.generate_square_subsequent_mask(x.size(1))
        h = self.pos(self.emb(x) * math.sqrt(self.d_model))
        h = self.encoder(h, mask=mask, src_key_padding_mask=pad_mask)
        return self.head(h)


def make_batches(stoi):
    """4 fixed batches of right-padded windows of TEXT: (inputs, targets), both [BATCH, SEQ]."""
    g = torch.Generator().manual_seed(1234)
    ids = [stoi[c] for c in TEXT]
    batches = []
    for _ in range(4):
        x = torch.full((BATCH, SEQ), PAD, dtype=torch.long)
        y = torch.full((BATCH, SEQ), PAD, dtype=torch.long)
        for b in range(BATCH):
            n = SEQ if b == 0 else int(torch.randint(5, SEQ + 1, (1,), generator=g))  # one full row per batch
            s = int(torch.randint(0, len(ids) - n - 1, (1,), generator=g))
            x[b, :n] = torch.tensor(ids[s: s + n])
            y[b, :n] = torch.tensor(ids[s + 1: s + n + 1])
        batches.append((x, y))
    return batches


def param_groups(model):
    """No weight decay for biases, LayerNorm and the (tied) embedding, as nanoGPT-style code does."""
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if p.ndim < 2 or "norm" in name or name.startswith("emb"):
            no_decay.append(p)
        else:
            decay.append(p)
    return [{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}]


def warmup(step):
    return min(1.0, (step + 1) / WARMUP)


def train_step(model, optimizer, scheduler, criterion, batch, vocab_size):
    x, y = batch
    optimizer.zero_grad()
    logits = model(x, pad_mask=(x == PAD))
    loss = criterion(logits.reshape(-1, vocab_size), y.reshape(-1))
    loss.backward()
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    lr = optimizer.param_groups[0]["lr"]
    optimizer.step()
    scheduler.step()
    return {"loss": loss.item(), "lr": lr, "gradNorm": norm.item()}


def sd_json(model):
    return {k: enc(v) for k, v in model.state_dict().items()}


@torch.no_grad()
def generate(model, ids, n):
    model.eval()
    ids = list(ids)
    for _ in range(n):
        logits = model(torch.tensor([ids]))
        ids.append(int(logits[0, -1].argmax()))
    return ids, logits[0, -1]


def torch_save_bytes(obj):
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"))
    out = ap.parse_args().out
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)

    vocab = ["<pad>"] + sorted(set(TEXT))
    stoi = {c: i for i, c in enumerate(vocab)}
    V = len(vocab)
    batches = make_batches(stoi)
    result = {
        "torch": torch.__version__, "vocab": vocab, "pad": PAD, "steps": STEPS, "moreSteps": MORE_STEPS, "warmup": WARMUP, "lr": LR,
        "batches": [{"x": enc(x), "y": enc(y)} for x, y in batches],
        "pe": enc(PositionalEncoding(D_MODEL).pe),
        "causalMask4": enc(nn.Transformer.generate_square_subsequent_mask(4)),
        "prompt": [stoi[c] for c in PROMPT], "variants": {},
    }
    for variant, norm_first in (("post", False), ("pre", True)):
        torch.manual_seed(0)
        model = CharTransformer(V, norm_first)
        init = model.state_dict()
        with open(os.path.join(out, f"port-transformer-init-{variant}.pt"), "wb") as f:
            f.write(torch_save_bytes(init))
        groups = param_groups(model)
        optimizer = torch.optim.AdamW(groups, lr=LR, weight_decay=0.01)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, warmup)
        criterion = nn.CrossEntropyLoss(ignore_index=PAD, label_smoothing=0.1)
        model.train()
        steps = [train_step(model, optimizer, scheduler, criterion, batches[i % len(batches)], V) for i in range(STEPS)]
        rec = {
            "keys": list(init.keys()),
            "namedParameters": [n for n, _ in model.named_parameters()],
            "decayCount": len(groups[0]["params"]),
            "steps": steps,
            "final": sd_json(model),
        }
        if variant == "post":
            ckpt = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(), "step": STEPS}
            with open(os.path.join(out, "port-transformer-ckpt.pt"), "wb") as f:
                f.write(torch_save_bytes(ckpt))
        train_state = torch.get_rng_state()
        # eval mode, no grad: a padded batch's logits, then greedy generation from the prompt
        model.eval()
        with torch.no_grad():
            x = batches[1][0]
            rec["evalLogits"] = enc(model(x, pad_mask=(x == PAD)))
        tokens, last = generate(model, result["prompt"], GEN)
        rec["generated"] = tokens
        rec["generatedText"] = "".join(vocab[i] for i in tokens)
        rec["lastLogits"] = enc(last)
        assert torch.equal(train_state, torch.get_rng_state())
        if variant == "post":
            # torch's own continuation, from the checkpoint loaded into freshly built objects
            ck = torch.load(io.BytesIO(torch_save_bytes(ckpt)))
            torch.manual_seed(99)
            m2 = CharTransformer(V, norm_first)
            o2 = torch.optim.AdamW(param_groups(m2), lr=LR, weight_decay=0.01)
            s2 = torch.optim.lr_scheduler.LambdaLR(o2, warmup)
            m2.load_state_dict(ck["model"])
            o2.load_state_dict(ck["optimizer"])
            s2.load_state_dict(ck["scheduler"])
            m2.train()
            rec["continued"] = {
                "steps": [train_step(m2, o2, s2, criterion, batches[i % len(batches)], V) for i in range(STEPS, STEPS + MORE_STEPS)],
                "final": sd_json(m2),
                "lastEpoch": s2.last_epoch,
            }
        result["variants"][variant] = rec
    write_json(out, "port-transformer.json", result)


if __name__ == "__main__":
    main()
