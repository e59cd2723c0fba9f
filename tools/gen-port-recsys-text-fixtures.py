"""torch 1.13 oracle for the recommendation + text-classification port (test/port-recsys-text.test.ts):
two small programs of the kinds PyTorch tutorials write, trained in float64 for 20 steps each.

Recommendation (collaborative filtering):
- matrix factorisation: user and item nn.Embedding tables with per-user / per-item bias embeddings,
  a score (u * v).sum(1) + b_u + b_i, MSELoss on given (user, item, rating) triples; trained once
  with sparse=True embeddings and optim.SparseAdam, once (same start) with dense embeddings and
  Adam(weight_decay=1e-3);
- neural CF: the two embeddings concatenated into an MLP, trained with the BPR loss
  -F.logsigmoid(pos - neg).mean() on given (user, positive, negative) triples with Adam(weight_decay);
- top-k recommendation from each final model: scores for every (user, item), the items a user has
  seen masked with masked_fill(seen, -inf), torch.topk(k) (and once with k past the unseen count,
  so -inf ties are ranked);
- a checkpoint of the sparse run mid-way (model + SparseAdam state dicts, torch.save), which the
  test resumes from; SparseAdam alone on an Embedding with a padding row, maximize and own betas/eps.

Text classification:
- the torchtext tutorial's model: nn.EmbeddingBag(mode="mean") over a flat token tensor with
  offsets, then Linear; CrossEntropyLoss, SGD(lr 5), StepLR(step_size=1, gamma=0.1) stepped after an
  epoch whose validation accuracy did not improve (as the tutorial), clip_grad_norm_(0.1);
- a Conv1d text CNN: Embedding(padding_idx=0) over padded batches, transpose, Conv1d with kernel
  sizes 2, 3, 4, ReLU, max over time (F.max_pool1d(x, x.shape[2]) for two, x.max(dim=2) for the
  third), cat, Linear; trained once with Adagrad(lr_decay, weight_decay) and once with
  Adadelta(weight_decay) from the same start;
- the reprs of the four models (Embedding(..., sparse=True) prints its flag).

Nothing random is compared: ratings, triples, sentences and batches come from a seeded generator here
and are written to the fixture; no dropout. Run from the repository root with Debian's torch (1.13):

    /usr/bin/python3 tools/gen-port-recsys-text-fixtures.py [--out DIR]

Writes fixtures/port-recsys-text.json, fixtures/port-recsys-text-init.pt (the initial state dicts,
one per model, in one dict) and fixtures/port-recsys-text-ckpt.pt (the sparse MF run's checkpoint
before step 10: model state dict and SparseAdam state dict).
"""
import argparse
import io
import os
import sys

sys.dont_write_bytecode = True

import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torchfix.fixio import enc, write_json  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = {"generator": "tools/gen-port-recsys-text-fixtures.py", "torch": torch.__version__}

N_USERS, N_ITEMS, DIM, RS_BATCH, RS_STEPS, TOPK = 10, 14, 4, 16, 20, 4
VOCAB, EMBED, N_CLASS, TX_BATCH, EPOCHS, BATCHES_PER_EPOCH = 30, 8, 4, 6, 4, 5
CNN_CHANNELS, KERNELS, CNN_STEPS = 5, (2, 3, 4), 20
CKPT_STEP = 10  # the sparse MF run saves model + SparseAdam state before this step


# ---------------------------------------------------------------- recommendation

class MF(nn.Module):
    def __init__(self, sparse):
        super().__init__()
        self.user = nn.Embedding(N_USERS, DIM, sparse=sparse)
        self.item = nn.Embedding(N_ITEMS, DIM, sparse=sparse)
        self.user_bias = nn.Embedding(N_USERS, 1, sparse=sparse)
        self.item_bias = nn.Embedding(N_ITEMS, 1, sparse=sparse)
        with torch.no_grad():
            self.user.weight.mul_(0.1)
            self.item.weight.mul_(0.1)
            self.user_bias.weight.zero_()
            self.item_bias.weight.zero_()

    def forward(self, u, i):
        dot = (self.user(u) * self.item(i)).sum(1)
        return dot + self.user_bias(u).squeeze(1) + self.item_bias(i).squeeze(1)

    def all_scores(self):
        return self.user.weight @ self.item.weight.t() + self.user_bias.weight + self.item_bias.weight.t()


class NCF(nn.Module):
    def __init__(self):
        super().__init__()
        self.user = nn.Embedding(N_USERS, DIM)
        self.item = nn.Embedding(N_ITEMS, DIM)
        self.mlp = nn.Sequential(nn.Linear(2 * DIM, 8), nn.ReLU(), nn.Linear(8, 1))

    def forward(self, u, i):
        return self.mlp(torch.cat([self.user(u), self.item(i)], dim=1)).squeeze(1)

    def all_scores(self):
        u = torch.arange(N_USERS).repeat_interleave(N_ITEMS)
        i = torch.arange(N_ITEMS).repeat(N_USERS)
        return self(u, i).view(N_USERS, N_ITEMS)


def recommend(scores, seen):
    masked = scores.masked_fill(seen, float("-inf"))
    return torch.topk(masked, TOPK, dim=1)


def train_mf(model, optimizer, users, items, ratings, batches, on_step=None):
    losses = []
    criterion = nn.MSELoss()
    for step, idx in enumerate(batches):
        if on_step is not None:
            on_step(step)
        optimizer.zero_grad()
        loss = criterion(model(users[idx], items[idx]), ratings[idx])
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def recsys(g):
    # ratings: each user rates 5..7 distinct items; the rest stay unseen (>= TOPK of them)
    users, items, ratings = [], [], []
    seen = torch.zeros(N_USERS, N_ITEMS, dtype=torch.bool)
    for u in range(N_USERS):
        n = 5 + int(torch.randint(0, 3, (1,), generator=g))
        for i in torch.randperm(N_ITEMS, generator=g)[:n].tolist():
            users.append(u)
            items.append(i)
            seen[u, i] = True
            ratings.append(1.0 + 4.0 * float(torch.rand(1, generator=g, dtype=torch.float64)))
    users, items = torch.tensor(users), torch.tensor(items)
    ratings = torch.tensor(ratings, dtype=torch.float64)
    batches = [torch.randperm(len(users), generator=g)[:RS_BATCH] for _ in range(RS_STEPS)]
    # BPR triples: a rated (positive) item and an unrated (negative) one per row
    bpr = []
    for _ in range(RS_STEPS):
        rows = []
        for k in torch.randperm(len(users), generator=g)[:RS_BATCH].tolist():
            u = int(users[k])
            unseen = (~seen[u]).nonzero().squeeze(1)
            neg = int(unseen[int(torch.randint(0, len(unseen), (1,), generator=g))])
            rows.append([u, int(items[k]), neg])
        bpr.append(torch.tensor(rows))

    torch.manual_seed(0)
    mf_sparse = MF(sparse=True).double()
    mf_dense = MF(sparse=False).double()
    mf_dense.load_state_dict(mf_sparse.state_dict())
    ncf = NCF().double()
    init = {"mf": {k: v.clone() for k, v in mf_sparse.state_dict().items()},
            "ncf": {k: v.clone() for k, v in ncf.state_dict().items()}}

    sparse_opt = torch.optim.SparseAdam(list(mf_sparse.parameters()), lr=0.05)
    ckpt = {}

    def save_at(step):  # a checkpoint mid-run: model and SparseAdam state, as a training script saves them
        if step == CKPT_STEP:
            buf = io.BytesIO()
            torch.save({"step": step, "model": mf_sparse.state_dict(), "optimizer": sparse_opt.state_dict()}, buf)
            ckpt["bytes"] = buf.getvalue()
    sparse_losses = train_mf(mf_sparse, sparse_opt, users, items, ratings, batches, save_at)
    dense_losses = train_mf(mf_dense, torch.optim.Adam(mf_dense.parameters(), lr=0.05, weight_decay=1e-3), users, items, ratings, batches)

    opt = torch.optim.Adam(ncf.parameters(), lr=0.02, weight_decay=1e-4)
    bpr_losses = []
    for rows in bpr:
        opt.zero_grad()
        pos = ncf(rows[:, 0], rows[:, 1])
        neg = ncf(rows[:, 0], rows[:, 2])
        loss = -F.logsigmoid(pos - neg).mean()
        loss.backward()
        opt.step()
        bpr_losses.append(loss.item())

    # SparseAdam alone: a padding row (its sparse gradient leaves it out), maximize, own betas/eps
    torch.manual_seed(2)
    emb = nn.Embedding(6, 3, padding_idx=0, sparse=True).double()
    w0 = emb.weight.detach().clone()
    unit_opt = torch.optim.SparseAdam(emb.parameters(), lr=0.1, betas=(0.8, 0.95), eps=1e-6, maximize=True)
    lookups = [[0, 1, 1, 3], [2, 0, 5], [3, 3, 4, 0]]
    for ids in lookups:
        unit_opt.zero_grad()
        out = emb(torch.tensor(ids))
        (out * torch.linspace(-1.0, 1.5, out.numel(), dtype=torch.float64).view_as(out)).sum().backward()
        unit_opt.step()
    st = unit_opt.state[emb.weight]
    unit = {"weight0": enc(w0), "lookups": lookups, "weight": enc(emb.weight), "expAvg": enc(st["exp_avg"]),
            "expAvgSq": enc(st["exp_avg_sq"]), "step": st["step"]}

    with torch.no_grad():
        all_unseen = torch.topk(mf_dense.all_scores().masked_fill(seen, float("-inf")), N_ITEMS - 5, dim=1)

    out = {"users": enc(users), "items": enc(items), "ratings": enc(ratings), "seen": enc(seen),
           "batches": [enc(b) for b in batches], "bpr": [enc(r) for r in bpr],
           "reprs": {"mfSparse": repr(mf_sparse), "ncf": repr(ncf)}, "sparseAdamUnit": unit,
           "topAllValues": enc(all_unseen.values), "topAllIndices": enc(all_unseen.indices),
           "sparseLosses": sparse_losses, "denseLosses": dense_losses, "bprLosses": bpr_losses}
    for name, model in (("sparse", mf_sparse), ("dense", mf_dense), ("ncf", ncf)):
        with torch.no_grad():
            scores = model.all_scores()
            top = recommend(scores, seen)
        out[name] = {"final": {k: enc(v) for k, v in model.state_dict().items()},
                     "scores": enc(scores), "topValues": enc(top.values), "topIndices": enc(top.indices)}
    return init, out, ckpt["bytes"]


# ---------------------------------------------------------------- text classification

class TextClassificationModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.EmbeddingBag(VOCAB, EMBED, mode="mean")
        self.fc = nn.Linear(EMBED, N_CLASS)
        initrange = 0.5
        self.embedding.weight.data.uniform_(-initrange, initrange)
        self.fc.weight.data.uniform_(-initrange, initrange)
        self.fc.bias.data.zero_()

    def forward(self, text, offsets):
        return self.fc(self.embedding(text, offsets))


class TextCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(VOCAB, EMBED, padding_idx=0)
        self.convs = nn.ModuleList([nn.Conv1d(EMBED, CNN_CHANNELS, k) for k in KERNELS])
        self.fc = nn.Linear(CNN_CHANNELS * len(KERNELS), N_CLASS)

    def forward(self, x):
        e = self.embedding(x).transpose(1, 2)  # [B, L, E] -> [B, E, L]
        pooled = []
        for j, conv in enumerate(self.convs):
            h = F.relu(conv(e))
            if j < 2:
                pooled.append(F.max_pool1d(h, h.shape[2]).squeeze(2))
            else:
                pooled.append(h.max(dim=2)[0])
        return self.fc(torch.cat(pooled, dim=1))


def sentence(g):
    """A label and 3..8 tokens in 1..VOCAB-1: mostly from the label's own block of the vocabulary."""
    label = int(torch.randint(0, N_CLASS, (1,), generator=g))
    n = 3 + int(torch.randint(0, 6, (1,), generator=g))
    block = 1 + label * 7
    toks = []
    for _ in range(n):
        if float(torch.rand(1, generator=g)) < 0.7:
            toks.append(block + int(torch.randint(0, 7, (1,), generator=g)))
        else:
            toks.append(1 + int(torch.randint(0, VOCAB - 1, (1,), generator=g)))
    return label, toks


def collate_bag(batch):
    """The tutorial's collate_batch: labels, the tokens of every sentence in one flat tensor, offsets."""
    labels = torch.tensor([b[0] for b in batch])
    text = torch.tensor([t for b in batch for t in b[1]])
    offsets = torch.tensor([0] + [len(b[1]) for b in batch[:-1]]).cumsum(dim=0)
    return labels, text, offsets


def collate_pad(batch, length=8):
    labels = torch.tensor([b[0] for b in batch])
    x = torch.zeros(len(batch), length, dtype=torch.long)
    for r, (_, toks) in enumerate(batch):
        x[r, :len(toks)] = torch.tensor(toks)
    return labels, x


def text(g):
    train = [sentence(g) for _ in range(EPOCHS * BATCHES_PER_EPOCH * TX_BATCH // EPOCHS)]  # 30 sentences, reshuffled per epoch
    valid = [sentence(g) for _ in range(12)]
    test = [sentence(g) for _ in range(12)]
    orders = [torch.randperm(len(train), generator=g) for _ in range(EPOCHS)]

    torch.manual_seed(1)
    bag_model = TextClassificationModel().double()
    cnn = TextCNN().double()
    init = {"bag": {k: v.clone() for k, v in bag_model.state_dict().items()},
            "cnn": {k: v.clone() for k, v in cnn.state_dict().items()}}

    # ---- the tutorial's loop ----
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(bag_model.parameters(), lr=5)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.1)
    total_accu = None
    steps, epochs = [], []
    vl, vx, vo = collate_bag(valid)
    for epoch in range(EPOCHS):
        bag_model.train()
        correct = count = 0
        for b in range(BATCHES_PER_EPOCH):
            idx = orders[epoch][b * TX_BATCH:(b + 1) * TX_BATCH].tolist()
            label, txt, off = collate_bag([train[i] for i in idx])
            optimizer.zero_grad()
            predicted = bag_model(txt, off)
            loss = criterion(predicted, label)
            loss.backward()
            norm = torch.nn.utils.clip_grad_norm_(bag_model.parameters(), 0.1)
            optimizer.step()
            correct += (predicted.argmax(1) == label).sum().item()
            count += label.size(0)
            steps.append({"loss": loss.item(), "gradNorm": norm.item(), "lr": optimizer.param_groups[0]["lr"]})
        bag_model.eval()
        with torch.no_grad():
            accu_val = (bag_model(vx, vo).argmax(1) == vl).sum().item() / vl.size(0)
        if total_accu is not None and total_accu > accu_val:
            scheduler.step()
        else:
            total_accu = accu_val
        epochs.append({"trainAccuracy": correct / count, "validAccuracy": accu_val, "lr": scheduler.get_last_lr()[0]})
    tl, tx, to = collate_bag(test)
    with torch.no_grad():
        bag_logits = bag_model(tx, to)
    bag = {"steps": steps, "epochs": epochs, "final": {k: enc(v) for k, v in bag_model.state_dict().items()},
           "testLogits": enc(bag_logits), "testPredictions": enc(bag_logits.argmax(1)),
           "testAccuracy": (bag_logits.argmax(1) == tl).double().mean().item()}

    # ---- the CNN, once with Adagrad and once with Adadelta ----
    cnn_runs = {}
    flat_order = torch.cat(orders)
    for name, make in (("adagrad", lambda p: torch.optim.Adagrad(p, lr=0.1, lr_decay=0.01, weight_decay=1e-4)),
                       ("adadelta", lambda p: torch.optim.Adadelta(p, lr=1.0, rho=0.9, weight_decay=1e-4))):
        model = TextCNN().double()
        model.load_state_dict(init["cnn"])
        opt = make(model.parameters())
        losses, accs = [], []
        for s in range(CNN_STEPS):
            idx = flat_order[s * TX_BATCH % len(flat_order):][:TX_BATCH].tolist()
            label, x = collate_pad([train[i] for i in idx])
            opt.zero_grad()
            logits = model(x)
            loss = F.cross_entropy(logits, label)
            loss.backward()
            opt.step()
            losses.append(loss.item())
            accs.append((logits.argmax(1) == label).double().mean().item())
        model.eval()
        tl2, tx2 = collate_pad(test)
        with torch.no_grad():
            logits = model(tx2)
        cnn_runs[name] = {"losses": losses, "accuracies": accs, "final": {k: enc(v) for k, v in model.state_dict().items()},
                          "testLogits": enc(logits), "testPredictions": enc(logits.argmax(1)),
                          "testAccuracy": (logits.argmax(1) == tl2).double().mean().item()}

    data = {"train": [[lab, toks] for lab, toks in train], "valid": [[lab, toks] for lab, toks in valid],
            "test": [[lab, toks] for lab, toks in test], "orders": [enc(o) for o in orders]}
    return init, {"data": data, "bag": bag, "cnn": cnn_runs, "reprs": {"bag": repr(bag_model), "cnn": repr(cnn)}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"))
    out_dir = ap.parse_args().out
    g = torch.Generator().manual_seed(7)
    rs_init, rs, ckpt_bytes = recsys(g)
    tx_init, tx = text(g)
    os.makedirs(out_dir, exist_ok=True)
    init_path = os.path.join(out_dir, "port-recsys-text-init.pt")
    torch.save({**rs_init, **tx_init}, init_path)
    print("wrote", os.path.relpath(init_path), os.path.getsize(init_path), "bytes")
    ckpt_path = os.path.join(out_dir, "port-recsys-text-ckpt.pt")
    with open(ckpt_path, "wb") as f:
        f.write(ckpt_bytes)
    print("wrote", os.path.relpath(ckpt_path), os.path.getsize(ckpt_path), "bytes")
    write_json(out_dir, "port-recsys-text.json", {
        **HEADER,
        "config": {"ckptStep": CKPT_STEP, "nUsers": N_USERS, "nItems": N_ITEMS, "dim": DIM, "topk": TOPK, "vocab": VOCAB, "embed": EMBED,
                   "nClass": N_CLASS, "txBatch": TX_BATCH, "epochs": EPOCHS, "batchesPerEpoch": BATCHES_PER_EPOCH,
                   "cnnChannels": CNN_CHANNELS, "kernels": list(KERNELS), "cnnSteps": CNN_STEPS},
        "recsys": rs,
        "text": tx,
    })


if __name__ == "__main__":
    main()
