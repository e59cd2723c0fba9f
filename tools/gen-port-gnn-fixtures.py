"""torch 1.13 oracle for the graph-neural-network port (test/port-gnn.test.ts): three small programs
written in plain PyTorch (no torch_geometric), the way GNN tutorials write them, trained in float64.

- GCN (Kipf & Welling) on one random graph of 20 nodes: self loops added with torch.cat and arange,
  degrees by torch.zeros(N).index_add_(0, row, ones) (layer 1) and by scatter_add_ (layer 2, which,
  like GCNConv(add_self_loops=False), adds no self loops, so the isolated node has degree 0 and
  deg.pow(-0.5) gives inf, masked_fill'ed to 0), messages x[col] * norm[:, None], aggregation by
  torch.zeros_like(x).index_add_(0, row, msg) (layer 1) and scatter_add_ (layer 2); ReLU, dropout
  with p=0 (model.train()/model.eval() still switch it), log_softmax + nll_loss on the train mask,
  Adam(lr 0.05, weight_decay 5e-4), 15 steps; accuracies on the train and val masks after each step
  (eval mode, no_grad).
- GAT-style attention, 2 heads concatenated then 1 head: e = LeakyReLU(a . [Wh_i || Wh_j]), a segment
  softmax over each node's incoming edges (scatter_reduce amax with include_self=False for the max,
  exp, index_add_ for the sum), weighted aggregation with index_add_; ELU between; 10 steps of Adam;
  the final attention coefficients of both layers.
- graph classification on a batch of 3 small graphs with a `batch` vector: a GCN layer, global mean
  pooling by index_add_ / bincount (and by scatter_reduce(reduce="mean") once, compared), a Linear
  head, cross_entropy, SGD(momentum 0.9), 12 steps.

Nothing random is compared: the graphs, features, labels and masks come from a seeded generator here
and are written to the fixture; dropout has p=0. Run from the repository root with Debian's torch:

    /usr/bin/python3 tools/gen-port-gnn-fixtures.py [--out DIR]

Writes fixtures/port-gnn.json and fixtures/port-gnn-init.pt (the three initial state dicts, one dict).
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
HEADER = {"generator": "tools/gen-port-gnn-fixtures.py", "torch": torch.__version__}

N, F_IN, HIDDEN, N_CLASS = 20, 6, 8, 3
GCN_STEPS, GAT_STEPS, POOL_STEPS = 15, 10, 12
HEADS, GAT_HIDDEN = 2, 4
GRAPH_SIZES = (5, 6, 4)


# ---------------------------------------------------------------- data

def random_graph(g):
    """An undirected graph on N nodes (both directions listed), node N-1 isolated."""
    edges = set()
    for i in range(N - 1):
        for j in torch.randint(0, N - 1, (2,), generator=g).tolist():
            if i != j:
                edges.add((i, j))
                edges.add((j, i))
    ei = torch.tensor(sorted(edges), dtype=torch.long).t().contiguous()
    x = torch.randn(N, F_IN, generator=g, dtype=torch.float64)
    y = torch.randint(0, N_CLASS, (N,), generator=g)
    perm = torch.randperm(N, generator=g)
    train_mask = torch.zeros(N, dtype=torch.bool)
    train_mask[perm[:10]] = True
    val_mask = torch.zeros(N, dtype=torch.bool)
    val_mask[perm[10:16]] = True
    return ei, x, y, train_mask, val_mask


# ---------------------------------------------------------------- GCN

class GCNLayer(nn.Module):
    def __init__(self, cin, cout, self_loops=True, scatter=False):
        super().__init__()
        self.lin = nn.Linear(cin, cout, bias=False)
        self.bias = nn.Parameter(torch.zeros(cout))
        self.self_loops = self_loops
        self.scatter = scatter

    def forward(self, x, edge_index):
        n = x.size(0)
        if self.self_loops:
            loop = torch.arange(n).unsqueeze(0).repeat(2, 1)
            edge_index = torch.cat([edge_index, loop], dim=1)
        row, col = edge_index
        ones = torch.ones(row.size(0), dtype=x.dtype)
        if self.scatter:
            deg = torch.zeros(n, dtype=x.dtype).scatter_add_(0, row, ones)
        else:
            deg = torch.zeros(n, dtype=x.dtype).index_add_(0, row, ones)
        deg_inv_sqrt = deg.pow(-0.5)
        deg_inv_sqrt.masked_fill_(deg_inv_sqrt == float("inf"), 0)
        norm = deg_inv_sqrt[row] * deg_inv_sqrt[col]
        h = self.lin(x)
        msg = h[col] * norm[:, None]
        if self.scatter:
            out = torch.zeros_like(h).scatter_add_(0, row.unsqueeze(1).expand(-1, h.size(1)), msg)
        else:
            out = torch.zeros_like(h).index_add_(0, row, msg)
        return out + self.bias


class GCN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = GCNLayer(F_IN, HIDDEN)
        self.conv2 = GCNLayer(HIDDEN, N_CLASS, self_loops=False, scatter=True)

    def forward(self, x, edge_index):
        x = F.relu(self.conv1(x, edge_index))
        x = F.dropout(x, p=0.0, training=self.training)
        x = self.conv2(x, edge_index)
        return F.log_softmax(x, dim=1)


def accuracy(logits, y, mask):
    return (logits[mask].argmax(1) == y[mask]).double().mean().item()


def train_node_model(model, opt, x, ei, y, train_mask, val_mask, steps):
    losses, train_acc, val_acc = [], [], []
    for _ in range(steps):
        model.train()
        opt.zero_grad()
        out = model(x, ei)
        loss = F.nll_loss(out[train_mask], y[train_mask])
        loss.backward()
        opt.step()
        losses.append(loss.item())
        model.eval()
        with torch.no_grad():
            out = model(x, ei)
        train_acc.append(accuracy(out, y, train_mask))
        val_acc.append(accuracy(out, y, val_mask))
    return losses, train_acc, val_acc


# ---------------------------------------------------------------- GAT

class GATLayer(nn.Module):
    def __init__(self, cin, cout, heads, concat=True):
        super().__init__()
        self.heads, self.cout, self.concat = heads, cout, concat
        self.lin = nn.Linear(cin, heads * cout, bias=False)
        self.att = nn.Parameter(torch.empty(heads, 2 * cout))
        nn.init.xavier_uniform_(self.att)
        self.bias = nn.Parameter(torch.zeros(heads * cout if concat else cout))
        self.alpha = None

    def forward(self, x, edge_index):
        n = x.size(0)
        loop = torch.arange(n).unsqueeze(0).repeat(2, 1)
        row, col = torch.cat([edge_index, loop], dim=1)
        h = self.lin(x).view(n, self.heads, self.cout)
        pair = torch.cat([h[row], h[col]], dim=-1)  # [E, heads, 2 * cout]: [Wh_i || Wh_j]
        e = F.leaky_relu((pair * self.att).sum(dim=-1), negative_slope=0.2)  # [E, heads]
        index = row.unsqueeze(1).expand(-1, self.heads)
        e_max = torch.zeros(n, self.heads, dtype=x.dtype).scatter_reduce(0, index, e, reduce="amax", include_self=False)
        ex = (e - e_max[row]).exp()
        denom = torch.zeros(n, self.heads, dtype=x.dtype).index_add_(0, row, ex)
        alpha = ex / denom[row]
        self.alpha = alpha.detach()
        out = torch.zeros_like(h).index_add_(0, row, h[col] * alpha.unsqueeze(-1))
        out = out.reshape(n, -1) if self.concat else out.mean(dim=1)
        return out + self.bias


class GAT(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = GATLayer(F_IN, GAT_HIDDEN, HEADS)
        self.conv2 = GATLayer(HEADS * GAT_HIDDEN, N_CLASS, 1, concat=False)

    def forward(self, x, edge_index):
        x = F.dropout(x, p=0.0, training=self.training)
        x = F.elu(self.conv1(x, edge_index))
        x = self.conv2(x, edge_index)
        return F.log_softmax(x, dim=1)


# ---------------------------------------------------------------- graph classification

def graph_batch(g):
    xs, eis, batch, offset = [], [], [], 0
    for k, size in enumerate(GRAPH_SIZES):
        src = torch.arange(size)
        dst = (src + 1) % size  # a ring, plus one chord
        ring = torch.stack([torch.cat([src, dst, torch.tensor([0, 2])]), torch.cat([dst, src, torch.tensor([2, 0])])])
        eis.append(ring + offset)
        xs.append(torch.randn(size, F_IN, generator=g, dtype=torch.float64))
        batch.append(torch.full((size,), k, dtype=torch.long))
        offset += size
    return torch.cat(xs), torch.cat(eis, dim=1), torch.cat(batch), torch.tensor([0, 1, 0])


def global_mean_pool(h, batch, num_graphs):
    sums = torch.zeros(num_graphs, h.size(1), dtype=h.dtype).index_add_(0, batch, h)
    counts = torch.bincount(batch, minlength=num_graphs).clamp(min=1).to(h.dtype)
    return sums / counts.unsqueeze(1)


class GraphClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = GCNLayer(F_IN, HIDDEN)
        self.head = nn.Linear(HIDDEN, 2)

    def forward(self, x, edge_index, batch, num_graphs):
        h = F.relu(self.conv(x, edge_index))
        return self.head(global_mean_pool(h, batch, num_graphs))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"))
    out_dir = ap.parse_args().out
    g = torch.Generator().manual_seed(11)
    ei, x, y, train_mask, val_mask = random_graph(g)
    torch.manual_seed(3)
    gcn, gat, pool = GCN().double(), GAT().double(), GraphClassifier().double()
    init = {"gcn": {k: v.clone() for k, v in gcn.state_dict().items()},
            "gat": {k: v.clone() for k, v in gat.state_dict().items()},
            "pool": {k: v.clone() for k, v in pool.state_dict().items()}}

    opt = torch.optim.Adam(gcn.parameters(), lr=0.05, weight_decay=5e-4)
    losses, tr, va = train_node_model(gcn, opt, x, ei, y, train_mask, val_mask, GCN_STEPS)
    with torch.no_grad():
        out = gcn(x, ei)
    gcn_out = {"losses": losses, "trainAcc": tr, "valAcc": va, "final": {k: enc(v) for k, v in gcn.state_dict().items()},
               "logProbs": enc(out), "pred": enc(out.argmax(1))}

    opt = torch.optim.Adam(gat.parameters(), lr=0.05, weight_decay=5e-4)
    losses, tr, va = train_node_model(gat, opt, x, ei, y, train_mask, val_mask, GAT_STEPS)
    with torch.no_grad():
        out = gat(x, ei)
    gat_out = {"losses": losses, "trainAcc": tr, "valAcc": va, "final": {k: enc(v) for k, v in gat.state_dict().items()},
               "logProbs": enc(out), "alpha1": enc(gat.conv1.alpha), "alpha2": enc(gat.conv2.alpha)}

    gx, gei, gbatch, gy = graph_batch(g)
    opt = torch.optim.SGD(pool.parameters(), lr=0.1, momentum=0.9)
    plosses = []
    for _ in range(POOL_STEPS):
        opt.zero_grad()
        loss = F.cross_entropy(pool(gx, gei, gbatch, len(GRAPH_SIZES)), gy)
        loss.backward()
        opt.step()
        plosses.append(loss.item())
    pool.eval()
    with torch.no_grad():
        logits = pool(gx, gei, gbatch, len(GRAPH_SIZES))
        h = F.relu(pool.conv(gx, gei))
        pooled = global_mean_pool(h, gbatch, len(GRAPH_SIZES))
        pooled_sr = torch.zeros(len(GRAPH_SIZES), HIDDEN, dtype=h.dtype).scatter_reduce(
            0, gbatch.unsqueeze(1).expand_as(h), h, reduce="mean", include_self=False)
    assert torch.allclose(pooled, pooled_sr)
    pool_out = {"losses": plosses, "final": {k: enc(v) for k, v in pool.state_dict().items()},
                "logits": enc(logits), "pooled": enc(pooled), "pred": enc(logits.argmax(1))}

    os.makedirs(out_dir, exist_ok=True)
    init_path = os.path.join(out_dir, "port-gnn-init.pt")
    torch.save(init, init_path)
    print("wrote", os.path.relpath(init_path), os.path.getsize(init_path), "bytes")
    write_json(out_dir, "port-gnn.json", {
        **HEADER,
        "config": {"n": N, "fIn": F_IN, "hidden": HIDDEN, "nClass": N_CLASS, "heads": HEADS, "gatHidden": GAT_HIDDEN,
                   "graphSizes": list(GRAPH_SIZES)},
        "graph": {"edgeIndex": enc(ei), "x": enc(x), "y": enc(y), "trainMask": enc(train_mask), "valMask": enc(val_mask)},
        "batch": {"x": enc(gx), "edgeIndex": enc(gei), "batch": enc(gbatch), "y": enc(gy)},
        "gcn": gcn_out, "gat": gat_out, "pool": pool_out,
    })


if __name__ == "__main__":
    main()
