#!/usr/bin/python3
"""PyTorch oracle for the image-classification training-recipe port (test/port-recipe.test.ts):
writes fixtures/port-recipe.json, port-recipe-init.pt, port-recipe-ckpt.pt and port-recipe-final.pt.

Run with Debian's torch 1.13 and torchvision 0.14 (`/usr/bin/python3 tools/gen-port-recipe-fixtures.py
[--out DIR]`; deterministic: the same bytes on every run).

The program is the standard recipe as PyTorch users write it, on a tiny ResNet (a stem, two
BasicBlocks, the second downsampling through a 1×1-conv shortcut, BatchNorm2d, AdaptiveAvgPool2d) in
float64 on 3×8×8 images made here:
- a map-style Dataset whose __getitem__ flips every third image horizontally (decided by the index,
  so deterministic) and applies transforms.Normalize; a DataLoader (batch 8, drop_last) whose
  custom Sampler yields a given order per epoch (shuffles cannot match torch's generator);
- SGD (lr 0.1, Nesterov momentum 0.9) with two parameter groups (weight decay 5e-4 on conv/linear
  weights, 0 on BatchNorm parameters and biases), LinearLR warm-up chained to CosineAnnealingLR by
  SequentialLR, CrossEntropyLoss(label_smoothing=0.1), mixup with given lambdas and permutations,
  gradient accumulation over 2 micro-batches, 24 micro-steps;
- an EMA of the weights twice: AveragedModel with a custom avg_fn, and a hand-written EMA
  (p_ema.mul_(d).add_(p, alpha=1-d) under no_grad, buffers copied), both updated every optimizer
  step; update_bn for the AveragedModel at the end;
- eval-mode logits and accuracy on a held-out batch under no_grad;
- a checkpoint after the second epoch (model, optimizer, scheduler and both EMAs' state dicts in one
  torch.save file), which the Tensile side loads and resumes from;
- a second, short run from the same weights with OneCycleLR (lr and momentum cycled per group).
Mixup's lambdas and permutations and the sampler's orders are drawn here and written out (inputs of
the Tensile side). The final weights and buffers are in port-recipe-final.pt, the rest in the JSON.
"""
import argparse
import copy
import os
import sys
import warnings

sys.dont_write_bytecode = True
# SequentialLR itself calls scheduler.step(0) at a milestone, which warns about the epoch argument
warnings.filterwarnings("ignore", message="The epoch parameter")

import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch.optim.swa_utils import AveragedModel, update_bn  # noqa: E402
from torch.utils.data import DataLoader, Dataset, Sampler, default_collate  # noqa: E402
from torchvision import transforms  # noqa: E402
import torchvision.transforms.functional as TF  # noqa: E402

from torchfix.fixio import enc, write_json  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fixtures")

N_TRAIN, N_TEST, CLASSES = 52, 12, 4
BATCH, ACCUM, EPOCHS, ONECYCLE_EPOCHS = 8, 2, 4, 2
MEAN, STD = [0.1, -0.05, 0.02], [0.9, 1.1, 0.8]
EMA_DECAY = 0.9
MAX_NORM = 1.0  # clips about half of the steps
CKPT_EPOCH = 1  # a checkpoint after the second epoch


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += self.shortcut(x)
        return F.relu(out)


class TinyResNet(nn.Module):
    def __init__(self, num_classes=CLASSES):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.relu = nn.ReLU(inplace=True)
        self.layer1 = BasicBlock(8, 8)
        self.layer2 = BasicBlock(8, 12, stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(12, num_classes)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer2(self.layer1(x))
        x = torch.flatten(self.avgpool(x), 1)
        return self.fc(x)


class ToyImages(Dataset):
    def __init__(self, images, labels, train, transform=None):
        self.images, self.labels, self.train, self.transform = images, labels, train, transform

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        img = self.images[index]
        if self.train and index % 3 == 1:  # the augmentation, decided by the index
            img = TF.hflip(img)
        if self.transform is not None:
            img = self.transform(img)
        return img, self.labels[index]


class GivenOrderSampler(Sampler):
    """Yields orders[0] on the first pass, orders[1] on the second, …"""

    def __init__(self, orders):
        self.orders, self.epoch = orders, 0

    def __len__(self):
        return len(self.orders[0])

    def __iter__(self):
        order = self.orders[self.epoch % len(self.orders)]
        self.epoch += 1
        return iter(order)


def make_images(gen, n):
    labels = torch.randint(0, CLASSES, (n,), generator=gen)
    patterns = torch.randn(CLASSES, 3, 8, 8, generator=gen)
    x = patterns[labels] + 0.75 * torch.randn(n, 3, 8, 8, generator=gen)
    return (x * 32).round() / 32, labels  # multiples of 1/32: short in JSON, exact in float64


def param_groups(model):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (no_decay if p.ndim <= 1 else decay).append(p)  # BatchNorm weights/biases and biases: no decay
    return [{"params": decay, "weight_decay": 5e-4}, {"params": no_decay, "weight_decay": 0.0}]


class ExponentialMovingAverage(AveragedModel):
    """torchvision's references/classification/utils.py EMA: AveragedModel subclassed, buffers averaged too."""

    def __init__(self, model, decay, device="cpu"):
        def ema_avg(avg_model_param, model_param, num_averaged):
            return decay * avg_model_param + (1 - decay) * model_param

        super().__init__(model, device, ema_avg, use_buffers=True)


class GivenMixup:
    """torchvision's references RandomMixup (p = 1) as a collate step, with the given lambdas in turn."""

    def __init__(self, num_classes, lams):
        self.num_classes, self.lams, self.k = num_classes, lams, 0

    def __call__(self, batch, target):
        target = F.one_hot(target, num_classes=self.num_classes).to(dtype=batch.dtype)
        batch, target = batch.clone(), target.clone()
        lam = self.lams[self.k]
        self.k += 1
        batch_rolled = batch.roll(1, 0)
        target_rolled = target.roll(1, 0)
        batch_rolled.mul_(1.0 - lam)
        batch.mul_(lam).add_(batch_rolled)
        target_rolled.mul_(1.0 - lam)
        target.mul_(lam).add_(target_rolled)
        return batch, target


def train(model, loader, optimizer, scheduler, lams, perms, epochs, emas=(), on_epoch_end=None):
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
    losses, lrs, momenta, norms = [], [], [], []
    k = 0
    model.train()
    optimizer.zero_grad()
    for epoch in range(epochs):
        for i, (x, y) in enumerate(loader):
            if y.ndim == 1:  # mixup in the loop, with a given permutation
                lam, perm = lams[k], perms[k]
                x = lam * x + (1 - lam) * x[perm]
                out = model(x)
                loss = lam * criterion(out, y) + (1 - lam) * criterion(out, y[perm])
            else:  # mixed by the loader's collate_fn: soft targets
                out = model(x)
                loss = criterion(out, y)
            (loss / ACCUM).backward()
            losses.append(loss.item())
            k += 1
            if (i + 1) % ACCUM == 0:
                lrs.append([g["lr"] for g in optimizer.param_groups])
                momenta.append([g["momentum"] for g in optimizer.param_groups])
                norms.append(nn.utils.clip_grad_norm_(model.parameters(), MAX_NORM).item())
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
                scheduler.step()
                for ema in emas:
                    ema(model)
        if on_epoch_end is not None:
            on_epoch_end(epoch)
    return {"losses": losses, "lrs": lrs, "momenta": momenta, "gradNorms": norms}


def accuracy(output, target, topk=(1,)):
    """torchvision's references/classification/utils.py accuracy (percent, top-k)."""
    with torch.inference_mode():
        maxk = max(topk)
        batch_size = target.size(0)
        if target.ndim == 2:
            target = target.max(dim=1)[1]
        _, pred = output.topk(maxk, 1, True, True)
        pred = pred.t()
        correct = pred.eq(target[None])
        res = []
        for k in topk:
            correct_k = correct[:k].flatten().sum(dtype=torch.float32)
            res.append(correct_k * (100.0 / batch_size))
        return res


def evaluate(model, x, y):
    model.eval()
    with torch.no_grad():
        logits = model(x)
        acc = (logits.argmax(1) == y).float().mean().item()
    acc1, acc2 = accuracy(logits, y, topk=(1, 2))
    return {"logits": enc(logits), "accuracy": acc, "acc1": acc1.item(), "acc2": acc2.item()}


def api_cases():
    """The API points the port found missing (now fixed), each with torch's answer: sum/mean with dtype=,
    Tensor.to's keyword and device forms, load_state_dict's positional strict."""
    mask = torch.tensor([[True, False, True], [False, False, True]])
    floats = torch.tensor([1.7, 2.6, -0.4], dtype=torch.float64)
    ints = torch.tensor([[1, 2], [3, 5]], dtype=torch.int32)
    reductions = []
    for name, x, op, args, dtype in [
        ("bool sum float32", mask, "sum", [], torch.float32),
        ("bool sum dim 1 float64", mask, "sum", [1], torch.float64),
        ("bool sum dim 1 keepdim float64", mask, "sum", [1, True], torch.float64),
        ("float64 sum int32 (cast first)", floats, "sum", [], torch.int32),
        ("float64 sum bool", floats, "sum", [], torch.bool),
        ("int32 mean float64", ints, "mean", [], torch.float64),
        ("int32 mean dim 0 float32", ints, "mean", [0], torch.float32),
    ]:
        y = getattr(x, op)(*args, dtype=dtype)
        reductions.append({"name": name, "input": enc(x), "op": op, "args": args, "dtype": str(dtype).split(".")[1],
                           "result": enc(y) | ({"dtype": "bool"} if y.dtype == torch.bool else {})})
    try:
        ints.mean(dtype=torch.int64)
        mean_error = None
    except RuntimeError as e:
        mean_error = str(e)
    x = torch.tensor([1.5, 2.0])
    to = {
        "sameDtypeIsSelf": x.to(torch.float32) is x,
        "copyIsNew": x.to(torch.float32, copy=True) is not x,
        "deviceIsSelf": x.to("cpu", non_blocking=True) is x,
        "deviceDtype": str(x.to("cpu", torch.float64).dtype).split(".")[1],
        "keywordDtype": str(x.to(dtype=torch.float64).dtype).split(".")[1],
        "otherDtype": str(x.to(torch.zeros(1, dtype=torch.float64)).dtype).split(".")[1],
    }
    # load_state_dict(sd, False): strict given positionally, as fine-tuning scripts load a backbone
    m = TinyResNet().double()
    result = m.load_state_dict({k: v for k, v in m.state_dict().items() if not k.startswith("fc.")} | {"head.weight": torch.zeros(1)}, False)
    load = {"missing": result.missing_keys, "unexpected": result.unexpected_keys}
    return {"reductions": reductions, "meanIntDtypeError": mean_error, "to": to, "loadNonStrict": load}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=OUT)
    out = ap.parse_args().out
    torch.set_num_threads(1)
    torch.manual_seed(0)
    os.makedirs(out, exist_ok=True)

    gen = torch.Generator().manual_seed(1)
    train_x, train_y = make_images(gen, N_TRAIN)
    test_x, test_y = make_images(gen, N_TEST)
    train_x, test_x = train_x.double(), test_x.double()
    steps = EPOCHS * (N_TRAIN // BATCH)
    orders = [torch.randperm(N_TRAIN, generator=gen).tolist() for _ in range(EPOCHS)]
    lams = [round(float(v), 6) for v in torch.distributions.Beta(0.4, 0.4).sample((steps,))]
    perms = [torch.randperm(BATCH, generator=gen) for _ in range(steps)]

    model = TinyResNet().double()
    torch.save(model.state_dict(), os.path.join(out, "port-recipe-init.pt"))
    init = copy.deepcopy(model.state_dict())

    normalize = transforms.Normalize(MEAN, STD)
    train_set = ToyImages(train_x, train_y, train=True, transform=normalize)
    test_set = ToyImages(test_x, test_y, train=False, transform=normalize)
    loader = DataLoader(train_set, batch_size=BATCH, sampler=GivenOrderSampler(orders), drop_last=True)

    optimizer = torch.optim.SGD(param_groups(model), lr=0.1, momentum=0.9, nesterov=True)
    warmup = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=3)
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps // ACCUM - 3, eta_min=1e-3)
    scheduler = torch.optim.lr_scheduler.SequentialLR(optimizer, schedulers=[warmup, cosine], milestones=[3])

    swa = AveragedModel(model, avg_fn=lambda avg, p, n: EMA_DECAY * avg + (1 - EMA_DECAY) * p)
    hand = copy.deepcopy(model)
    tv_ema = ExponentialMovingAverage(model, decay=EMA_DECAY)

    def hand_update(m):
        with torch.no_grad():
            for p_ema, p in zip(hand.parameters(), m.parameters()):
                p_ema.mul_(EMA_DECAY).add_(p, alpha=1 - EMA_DECAY)
            for b_ema, b in zip(hand.buffers(), m.buffers()):
                b_ema.copy_(b)

    def save_checkpoint(epoch):  # the usual mid-run checkpoint, which the Tensile side resumes from
        if epoch == CKPT_EPOCH:
            torch.save({"epoch": epoch + 1, "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                        "scheduler": scheduler.state_dict(), "swa": swa.state_dict(), "hand": hand.state_dict(), "tv_ema": tv_ema.state_dict()},
                       os.path.join(out, "port-recipe-ckpt.pt"))

    run = train(model, loader, optimizer, scheduler, lams, perms, EPOCHS,
                (swa.update_parameters, hand_update, tv_ema.update_parameters), save_checkpoint)
    update_bn(DataLoader(train_set, batch_size=BATCH), swa)  # 52 images: 6 batches of 8 and one of 4

    x_test, y_test = next(iter(DataLoader(test_set, batch_size=N_TEST)))
    evals = {}
    for name, m in (("model", model), ("swa", swa), ("hand", hand), ("tv_ema", tv_ema)):
        evals[name] = evaluate(m, x_test, y_test)

    # the second run: OneCycleLR from the same initial weights, lr and momentum cycled per group
    model2 = TinyResNet().double()
    model2.load_state_dict(init)
    mixup = GivenMixup(CLASSES, lams)
    loader2 = DataLoader(train_set, batch_size=BATCH, sampler=GivenOrderSampler(orders), drop_last=True,
                         collate_fn=lambda batch: mixup(*default_collate(batch)))
    optimizer2 = torch.optim.SGD(param_groups(model2), lr=0.1, momentum=0.9, nesterov=True)
    steps2 = ONECYCLE_EPOCHS * (N_TRAIN // BATCH) // ACCUM
    onecycle = torch.optim.lr_scheduler.OneCycleLR(optimizer2, max_lr=[0.1, 0.05], total_steps=steps2, pct_start=0.25)
    run2 = train(model2, loader2, optimizer2, onecycle, lams, perms, ONECYCLE_EPOCHS)

    torch.save({"model": model.state_dict(), "swa": swa.state_dict(), "hand": hand.state_dict(), "tv_ema": tv_ema.state_dict(),
                "onecycle": model2.state_dict()},
               os.path.join(out, "port-recipe-final.pt"))
    write_json(out, "port-recipe.json", {
        "torch": torch.__version__,
        "config": {"batch": BATCH, "accum": ACCUM, "epochs": EPOCHS, "onecycleEpochs": ONECYCLE_EPOCHS, "mean": MEAN, "std": STD,
                   "emaDecay": EMA_DECAY, "maxNorm": MAX_NORM, "ckptEpoch": CKPT_EPOCH},
        "train": {"x": enc(train_x), "y": train_y.tolist()},
        "test": {"x": enc(test_x), "y": test_y.tolist()},
        "orders": orders, "lams": lams, "perms": [p.tolist() for p in perms],
        "run": run, "lastLr": scheduler.get_last_lr(),
        "eval": evals,
        "onecycle": {**run2, "lastLr": onecycle.get_last_lr(), "eval": evaluate(model2, x_test, y_test)},
        "api": api_cases(),
    })


if __name__ == "__main__":
    main()
