"""torch 1.13 oracle for the "representation learning losses" port (test/port-contrastive.test.ts):
three small programs written the way PyTorch users write them, on data made here.

- SimCLR: an MLP encoder + projection head, NT-Xent on two augmented views (the views are made
  here and given to the test: torch's random augmentations cannot be replayed): z = F.normalize(
  proj(enc(x)), dim=1), sim = z @ z.T / tau, the diagonal masked with masked_fill(torch.eye(2N,
  dtype=torch.bool), -inf), labels from torch.arange and cat, F.cross_entropy(sim, labels); SGD
  with momentum and weight decay under a LambdaLR linear warm-up + cosine schedule. The -9e15 mask
  is recorded on the first batch as well, and the other common form of the loss: positives from
  torch.diagonal(sim, offset=N) / torch.diag(sim, diagonal=-N), negatives by a boolean mask
  (~(eye | eye.roll(N, 1))), CE against zeros with reduction='sum' / 2N.
- Knowledge distillation: a fixed teacher (eval mode, with Dropout, torch.no_grad) and a smaller
  student; loss = alpha·T²·F.kl_div(log_softmax(s/T), softmax(t/T), 'batchmean') + (1-alpha)·CE;
  the log_target=True form recorded every step next to it.
- Siamese / metric learning: a small CNN embedding on 1×6×6 images; nn.TripletMarginLoss,
  nn.CosineEmbeddingLoss, nn.MarginRankingLoss on F.pairwise_distance; Adam; the final cosine
  similarity matrix (F.cosine_similarity with broadcasting, dim=2) and torch.cdist (p=2, p=1).

Everything runs in float64. Run from the repository root with Debian's torch (1.13):

    /usr/bin/python3 tools/gen-port-contrastive-fixtures.py [--out DIR]

Writes fixtures/port-contrastive.json and fixtures/port-contrastive-init.pt (the three programs'
initial state dicts in one dict: simclr, teacher, student, siamese).
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
from torchfix.fixio import enc, write_json  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = {"generator": "tools/gen-port-contrastive-fixtures.py", "torch": torch.__version__}

D, N = 8, 6
SIM_STEPS, WARMUP, TAU = 12, 3, 0.5
KD_STEPS, KD_T, KD_ALPHA, CLASSES, KD_N = 12, 3.0, 0.7, 4, 10
SI_STEPS, SI_N = 8, 5


class SimCLR(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(D, 16), nn.ReLU(), nn.Linear(16, 8))
        self.projector = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 4))

    def forward(self, x):
        return self.projector(self.encoder(x))


def nt_xent(z1, z2, tau, fill=float("-inf")):
    n = z1.shape[0]
    z = F.normalize(torch.cat([z1, z2], dim=0), dim=1)
    sim = z @ z.T / tau
    mask = torch.eye(2 * n, dtype=torch.bool)
    sim = sim.masked_fill(mask, fill)
    labels = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, labels), sim


def lr_lambda(step):
    if step < WARMUP:
        return (step + 1) / WARMUP
    return 0.5 * (1 + math.cos(math.pi * (step - WARMUP) / (SIM_STEPS - WARMUP)))


class Teacher(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(D, 24), nn.ReLU(), nn.Dropout(0.5), nn.Linear(24, CLASSES))

    def forward(self, x):
        return self.net(x)


class Student(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(D, 8)
        self.fc2 = nn.Linear(8, CLASSES)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


class Embed(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 3, 3)
        self.fc = nn.Linear(3 * 4 * 4, 6)

    def forward(self, x):
        return self.fc(torch.flatten(F.relu(self.conv(x)), 1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"))
    out_dir = ap.parse_args().out
    os.makedirs(out_dir, exist_ok=True)
    g = torch.Generator().manual_seed(17)
    rn = lambda *s: torch.randn(s, generator=g, dtype=torch.float64)  # noqa: E731

    # ---- data: SimCLR views (jitter + scaling of a base sample), KD set, siamese triplets ----
    sim_views = []
    for _ in range(SIM_STEPS):
        base = rn(N, D)
        v1 = base * (1 + 0.2 * rn(N, 1)) + 0.1 * rn(N, D)
        v2 = base * (1 + 0.2 * rn(N, 1)) + 0.1 * rn(N, D)
        sim_views.append((v1, v2))
    centers = 1.5 * rn(CLASSES, D)
    kd_y = [torch.randint(0, CLASSES, (KD_N,), generator=g) for _ in range(KD_STEPS)]
    kd_x = [centers[y] + rn(KD_N, D) for y in kd_y]
    protos = rn(3, 1, 6, 6)
    si = []
    for _ in range(SI_STEPS):
        ka = torch.randint(0, 3, (SI_N,), generator=g)
        kn = (ka + 1 + torch.randint(0, 2, (SI_N,), generator=g)) % 3
        a = protos[ka] + 0.9 * rn(SI_N, 1, 6, 6)
        p = protos[ka] + 0.9 * rn(SI_N, 1, 6, 6)
        n = protos[kn] + 0.9 * rn(SI_N, 1, 6, 6)
        pair_t = torch.where(torch.arange(SI_N) % 2 == 0, 1, -1)
        si.append((a, p, n, pair_t))

    torch.manual_seed(0)
    simclr, teacher, student, siamese = SimCLR().double(), Teacher().double(), Student().double(), Embed().double()
    init_path = os.path.join(out_dir, "port-contrastive-init.pt")
    torch.save({"simclr": simclr.state_dict(), "teacher": teacher.state_dict(), "student": student.state_dict(),
                "siamese": siamese.state_dict()}, init_path)
    print("wrote", os.path.relpath(init_path), os.path.getsize(init_path), "bytes")

    # ---- SimCLR ----
    opt = torch.optim.SGD(simclr.parameters(), lr=0.3, momentum=0.9, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)
    sim_steps = []
    first_sim = first_sim_9e15 = loss_9e15 = loss_pos_neg = None
    for step, (v1, v2) in enumerate(sim_views):
        simclr.train()
        lr = opt.param_groups[0]["lr"]
        loss, sim = nt_xent(simclr(v1), simclr(v2), TAU)
        if step == 0:
            first_sim = sim.detach()
            l2, s2 = nt_xent(simclr(v1), simclr(v2), TAU, -9e15)
            loss_9e15, first_sim_9e15 = l2.item(), s2.detach()
            # the other common form: positives from the ±N diagonals, negatives by a boolean mask
            z = F.normalize(torch.cat([simclr(v1), simclr(v2)]), dim=1)
            s3 = z @ z.T / TAU
            pos = torch.cat([torch.diagonal(s3, offset=N), torch.diag(s3, diagonal=-N)]).view(2 * N, 1)
            keep = ~(torch.eye(2 * N, dtype=torch.bool) | torch.eye(2 * N, dtype=torch.bool).roll(N, 1))
            logits = torch.cat([pos, s3[keep].view(2 * N, -1)], dim=1)
            loss_pos_neg = F.cross_entropy(logits, torch.zeros(2 * N, dtype=torch.long), reduction="sum").item() / (2 * N)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        sim_steps.append({"loss": loss.item(), "lr": lr})
    simclr.eval()
    with torch.no_grad():
        h = F.normalize(simclr.encoder(sim_views[0][0]), dim=1)
        sim_final = {k: enc(v) for k, v in simclr.state_dict().items()}
        emb_sim = h @ h.T

    # ---- knowledge distillation ----
    teacher.eval()
    opt = torch.optim.SGD(student.parameters(), lr=0.1, momentum=0.9)
    kd_steps = []
    for step in range(KD_STEPS):
        x, y = kd_x[step], kd_y[step]
        with torch.no_grad():
            t = teacher(x)
        s = student(x)
        soft = F.kl_div(F.log_softmax(s / KD_T, dim=1), F.softmax(t / KD_T, dim=1), reduction="batchmean")
        soft_lt = F.kl_div(F.log_softmax(s / KD_T, dim=1), F.log_softmax(t / KD_T, dim=1), reduction="batchmean", log_target=True)
        hard = F.cross_entropy(s, y)
        loss = KD_ALPHA * KD_T * KD_T * soft + (1 - KD_ALPHA) * hard
        opt.zero_grad()
        loss.backward()
        opt.step()
        kd_steps.append({"loss": loss.item(), "soft": soft.item(), "softLogTarget": soft_lt.item(), "hard": hard.item(),
                         "teacherLogits": enc(t)})
    student_final = {k: enc(v) for k, v in student.state_dict().items()}

    # ---- siamese / metric ----
    triplet = nn.TripletMarginLoss(margin=1.0, p=2)
    cosine = nn.CosineEmbeddingLoss(margin=0.2)
    ranking = nn.MarginRankingLoss(margin=0.5)
    opt = torch.optim.Adam(siamese.parameters(), lr=1e-2)
    si_steps = []
    for a, p, n, pair_t in si:
        ea, ep, en = siamese(a), siamese(p), siamese(n)
        d_pos, d_neg = F.pairwise_distance(ea, ep), F.pairwise_distance(ea, en)
        l_tri = triplet(ea, ep, en)
        pair_other = torch.where(pair_t.view(-1, 1) > 0, ep, en)
        l_cos = cosine(ea, pair_other, pair_t)
        l_rank = ranking(d_neg, d_pos, torch.ones_like(d_pos))
        loss = l_tri + l_cos + 0.5 * l_rank
        opt.zero_grad()
        loss.backward()
        opt.step()
        si_steps.append({"loss": loss.item(), "triplet": l_tri.item(), "cosine": l_cos.item(), "ranking": l_rank.item(),
                         "dPos": enc(d_pos), "dNeg": enc(d_neg)})
    siamese.eval()
    with torch.no_grad():
        a, p, n, _ = si[0]
        ea, ep = siamese(a), siamese(p)
        cos_matrix = F.cosine_similarity(ea.unsqueeze(1), ep.unsqueeze(0), dim=2)
        dist_matrix = torch.cdist(ea, ep)
        dist_matrix_l1 = torch.cdist(ea, ep, p=1)
    siamese_final = {k: enc(v) for k, v in siamese.state_dict().items()}

    write_json(out_dir, "port-contrastive.json", {
        **HEADER,
        "config": {"d": D, "n": N, "simSteps": SIM_STEPS, "warmup": WARMUP, "tau": TAU, "kdSteps": KD_STEPS, "kdT": KD_T,
                   "kdAlpha": KD_ALPHA, "classes": CLASSES, "siSteps": SI_STEPS},
        "simclr": {"views": [[enc(v1), enc(v2)] for v1, v2 in sim_views], "steps": sim_steps, "firstSim": enc(first_sim),
                   "firstSim9e15": enc(first_sim_9e15), "loss9e15": loss_9e15, "lossPosNeg": loss_pos_neg, "final": sim_final, "embSim": enc(emb_sim)},
        "kd": {"x": [enc(x) for x in kd_x], "y": [enc(y) for y in kd_y], "steps": kd_steps, "final": student_final},
        "siamese": {"batches": [[enc(a), enc(p), enc(n), enc(t)] for a, p, n, t in si], "steps": si_steps,
                    "cosMatrix": enc(cos_matrix), "distMatrix": enc(dist_matrix), "distMatrixL1": enc(dist_matrix_l1),
                    "final": siamese_final},
    })


if __name__ == "__main__":
    main()
