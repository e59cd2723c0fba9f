"""torch 1.13 oracle for the sequence-program port (test/port-charrnn.test.ts): two small programs
as PyTorch users write them.

1. A character-level language model (Karpathy style): nn.Embedding -> nn.GRU(2 layers,
   batch_first) -> nn.Linear over a short text, trained with truncated BPTT (the hidden state
   carried across batches and detached), CrossEntropyLoss over logits.view(-1, V),
   clip_grad_norm_(parameters, CLIP) and Adam for 15 steps; then sampling with a temperature
   (softmax(logits / T), the next character chosen from given uniforms by cumulative sum, since
   torch.multinomial's generator cannot be matched) and greedy (argmax) generation.
2. Time-series data plumbing: sliding windows with Tensor.unfold(0, size, step), TensorDataset,
   random_split with a seeded generator (the split indices are saved: Tensile's generator differs,
   so its side takes them through Subset), DataLoader(shuffle=False, drop_last=True), a Conv1d +
   LSTM forecaster with MSELoss, Adam and StepLR, early stopping that keeps the best
   copy.deepcopy(model.state_dict()) in memory and reloads it at the end.

Everything is float64 and nothing random is compared. Run from the repository root with Debian's
torch (1.13):

    /usr/bin/python3 tools/gen-port-charrnn-fixtures.py [--out DIR]

Writes fixtures/port-charrnn.json, fixtures/port-charrnn-init.pt (the language model's initial
state dict) and fixtures/port-charrnn-forecaster-init.pt.
"""
import argparse
import copy
import os
import sys

sys.dont_write_bytecode = True

import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset, random_split  # noqa: E402
from torchfix.fixio import enc, write_json  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = {"generator": "tools/gen-port-charrnn-fixtures.py", "torch": torch.__version__}

TEXT = ("the quick brown fox jumps over the lazy dog. a lazy dog sleeps in the sun, "
        "and the quick fox runs back to the woods. the dog wakes up and barks at the fox; "
        "the fox does not care. then the sun goes down and both of them sleep. the end.")
EMB, HID, LAYERS, SEQ, BATCH, LM_STEPS, TEMP, SAMPLE_LEN, GREEDY_LEN = 8, 16, 2, 10, 2, 15, 0.8, 30, 20
PRIME = "the "
LM_LR, TS_LR = 5e-2, 0.3
CLIP = 0.5  # clip_grad_norm_ max norm: 5 (the usual value) never bites on this small model; 0.5 clips most steps
WINDOW, HORIZON, SERIES_LEN, TS_BATCH, EPOCHS, PATIENCE = 8, 2, 50, 16, 6, 3


class CharRNN(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.embed = nn.Embedding(vocab, EMB)
        self.gru = nn.GRU(EMB, HID, num_layers=LAYERS, batch_first=True)
        self.fc = nn.Linear(HID, vocab)

    def forward(self, x, hidden=None):
        out, hidden = self.gru(self.embed(x), hidden)
        return self.fc(out), hidden


class Forecaster(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(1, 4, kernel_size=3, padding=1)
        self.lstm = nn.LSTM(4, 8, batch_first=True)
        self.head = nn.Linear(8, HORIZON)

    def forward(self, x):  # x: [N, 1, WINDOW]
        h = torch.relu(self.conv(x)).transpose(1, 2)  # [N, WINDOW, 4]
        out, _ = self.lstm(h)
        return self.head(out[:, -1])


def char_rnn(out_dir):
    chars = sorted(set(TEXT))
    stoi = {c: i for i, c in enumerate(chars)}
    V = len(chars)
    data = torch.tensor([stoi[c] for c in TEXT], dtype=torch.long)
    n = data.numel() // BATCH
    data = data[:n * BATCH].view(BATCH, n)  # one contiguous stream per batch row

    torch.manual_seed(0)
    model = CharRNN(V).double()
    torch.save(model.state_dict(), os.path.join(out_dir, "port-charrnn-init.pt"))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=LM_LR)
    hidden = None
    steps = []
    pos = 0
    for step in range(LM_STEPS):
        if pos + SEQ + 1 > n:  # back to the start of the streams: a fresh hidden state
            pos, hidden = 0, None
        x, y = data[:, pos:pos + SEQ], data[:, pos + 1:pos + SEQ + 1]
        pos += SEQ
        if hidden is not None:
            hidden = hidden.detach()
        logits, hidden = model(x, hidden)
        loss = criterion(logits.view(-1, V), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        norm = nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        optimizer.step()
        steps.append({"loss": loss.item(), "gradNorm": norm.item(), "hiddenSum": hidden.sum().item()})

    # ---- generation ----
    model.eval()
    uniforms = torch.rand(SAMPLE_LEN, generator=torch.Generator().manual_seed(7), dtype=torch.float64)
    with torch.no_grad():
        prime = torch.tensor([[stoi[c] for c in PRIME]])
        logits, h = model(prime)
        sampled, first_probs = [], None
        for k in range(SAMPLE_LEN):
            probs = F.softmax(logits[0, -1] / TEMP, dim=-1)
            if first_probs is None:
                first_probs = probs
            idx = int((probs.cumsum(dim=-1) < uniforms[k]).sum().clamp(max=V - 1))
            sampled.append(idx)
            logits, h = model(torch.tensor([[idx]]), h)
        sample_hidden = h
        logits, h = model(prime)
        greedy = []
        for _ in range(GREEDY_LEN):
            idx = int(logits[0, -1].argmax())
            greedy.append(idx)
            logits, h = model(torch.tensor([[idx]]), h)

    return {
        "text": TEXT, "chars": "".join(chars),
        "config": {"emb": EMB, "hid": HID, "layers": LAYERS, "seq": SEQ, "batch": BATCH, "steps": LM_STEPS,
                   "temperature": TEMP, "clip": CLIP, "sampleLen": SAMPLE_LEN, "greedyLen": GREEDY_LEN, "prime": PRIME},
        "steps": steps, "finalHidden": enc(hidden),
        "final": {k: enc(v) for k, v in model.state_dict().items()},
        "uniforms": enc(uniforms), "firstProbs": enc(first_probs), "sampleHidden": enc(sample_hidden),
        "sampled": PRIME + "".join(chars[i] for i in sampled),
        "greedy": PRIME + "".join(chars[i] for i in greedy),
    }


def forecaster(out_dir):
    t = torch.arange(SERIES_LEN, dtype=torch.float64)
    series = torch.sin(0.35 * t) + 0.02 * t
    windows = series.unfold(0, WINDOW + HORIZON, 1)  # [N, WINDOW + HORIZON], a view
    X, Y = windows[:, :WINDOW].unsqueeze(1), windows[:, WINDOW:]
    ds = TensorDataset(X, Y)
    train_ds, val_ds = random_split(ds, [0.8, 0.2], generator=torch.Generator().manual_seed(0))
    train_loader = DataLoader(train_ds, batch_size=TS_BATCH, shuffle=False, drop_last=True)
    val_loader = DataLoader(val_ds, batch_size=TS_BATCH, shuffle=False)

    torch.manual_seed(1)
    model = Forecaster().double()
    torch.save(model.state_dict(), os.path.join(out_dir, "port-charrnn-forecaster-init.pt"))
    criterion = nn.MSELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=TS_LR)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    losses, val_losses, lrs = [], [], []
    best, best_epoch, best_state, bad, stopped = float("inf"), -1, None, 0, None
    for epoch in range(EPOCHS):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        scheduler.step()
        lrs.append(optimizer.param_groups[0]["lr"])
        model.eval()
        with torch.no_grad():
            val = sum(criterion(model(xb), yb).item() * len(xb) for xb, yb in val_loader) / len(val_ds)
        val_losses.append(val)
        if val < best:
            best, best_epoch, best_state, bad = val, epoch, copy.deepcopy(model.state_dict()), 0
        else:
            bad += 1
            if bad >= PATIENCE:
                stopped = epoch
                break
    last_state = {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    model.eval()
    with torch.no_grad():
        forecast = model(X[val_ds.indices])

    split_checks = {}
    for lengths in ([0.5, 0.3, 0.2], [0.7, 0.3], [0.1, 0.1, 0.1, 0.7], [20, 21], [1.0]):
        split_checks[str(lengths)] = [len(s) for s in random_split(ds, lengths, generator=torch.Generator().manual_seed(0))]
    return {
        "config": {"window": WINDOW, "horizon": HORIZON, "batch": TS_BATCH, "epochs": EPOCHS, "patience": PATIENCE},
        "series": enc(series), "windows": enc(windows),
        "trainIndices": list(train_ds.indices), "valIndices": list(val_ds.indices),
        "batchesPerEpoch": len(train_loader), "valBatches": len(val_loader),
        "losses": losses, "valLosses": val_losses, "lrs": lrs, "bestEpoch": best_epoch, "stoppedAt": stopped,
        "final": {k: enc(v) for k, v in model.state_dict().items()},
        "last": {k: enc(v) for k, v in last_state.items()},
        "forecast": enc(forecast), "splitLengths": split_checks,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"))
    out_dir = ap.parse_args().out
    os.makedirs(out_dir, exist_ok=True)
    write_json(out_dir, "port-charrnn.json", {**HEADER, "charRnn": char_rnn(out_dir), "forecaster": forecaster(out_dir)})


if __name__ == "__main__":
    main()
