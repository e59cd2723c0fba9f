#!/usr/bin/python3
"""PyTorch oracle for Tensile's torchvision model zoo (src/models/): writes fixtures/models.json.

Run with Debian's torch and torchvision 0.14 (`/usr/bin/python3 tools/gen-models-fixtures.py
[--out DIR] [--set NAME ...]`). Deterministic; no weights are shipped. Model sets: this file's
MODELS writes fixtures/models.json (read by test/models-zoo.test.ts); each tools/modelsets/NAME.py
with its own MODELS list writes fixtures/models-NAME.json (read by test/models-NAME.test.ts).

For each torchvision model (built with `weights=None` and the listed keyword arguments):
  keys       the state_dict entries in order, "key:d0,d1,..." (a scalar has no dims)
  numParams  the parameter count (sum of numel over model.parameters())
  logits     eval-mode output on a fixed input [1, 3, size, size], after every state_dict entry
             (parameters and buffers) was set from `formula` below, which test/models-zoo.test.ts
             reproduces in TypeScript bit for bit
  dropouts   the p of every nn.Dropout, in module order (checks the `dropout` option)

The formula uses integer hashing (not sin) so the 100M-element VGG classifiers fill fast in JS, and
its float64 arithmetic is the same sequence of IEEE operations in numpy and in JS:
  r = (i * 7919 + k * 104729 + 17) % 2003,  u = (r - 1001) / 1001            (i element, k entry index)
  ndim >= 2 (conv / linear weights):  u * sqrt(6 / fan_in),  fan_in = numel / shape[0]
  1-D "...running_var":               0.75 + 0.25 * u     (positive)
  1-D "...weight" (norm scale):       1 + 0.2 * u
  other 1-D (bias, running_mean):     0.1 * u
  integer buffers (num_batches_tracked, relative-position indices): left as built
then rounded to float32. The input is x[i] = ((i * 31 + 7) % 97 - 48) / 48.
"""
import argparse
import json
import math
import os
import runpy
import sys
from collections import OrderedDict

sys.dont_write_bytecode = True

import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torchvision.models as tvm  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (torchvision name, Tensile name, kwargs, input size). MobileNetV3, EfficientNet and MNASNet get 64×64: at
# 32×32 their 5×5 depthwise convolutions (padding 2) meet 1×1 maps, where the wasm backend's im2col
# misplaced columns until it was fixed (the op table's F.conv2d/padding_beyond_input cases).
MODELS = [
    ("resnet18", "resnet18", {"num_classes": 10}, 32),
    ("resnet34", "resnet34", {"num_classes": 10}, 32),
    ("resnet50", "resnet50", {"num_classes": 10}, 32),
    ("resnet101", "resnet101", {"num_classes": 10}, 32),
    ("resnet152", "resnet152", {"num_classes": 10}, 32),
    ("wide_resnet50_2", "wideResnet50_2", {"num_classes": 10}, 32),
    ("resnext50_32x4d", "resnext50_32x4d", {"num_classes": 10}, 32),
    ("resnet50", "resnet50", {"num_classes": 7, "replace_stride_with_dilation": [False, False, True]}, 32),
    ("vgg11", "vgg11", {"num_classes": 10}, 32),
    ("vgg11_bn", "vgg11Bn", {"num_classes": 10}, 32),
    ("vgg13", "vgg13", {"num_classes": 10}, 32),
    ("vgg13_bn", "vgg13Bn", {"num_classes": 10}, 32),
    ("vgg16", "vgg16", {"num_classes": 10}, 32),
    ("vgg16_bn", "vgg16Bn", {"num_classes": 10}, 32),
    ("vgg19", "vgg19", {"num_classes": 10}, 32),
    ("vgg19_bn", "vgg19Bn", {"num_classes": 10, "dropout": 0.25}, 32),
    ("alexnet", "alexnet", {"num_classes": 10, "dropout": 0.3}, 63),
    ("mobilenet_v2", "mobilenetV2", {"num_classes": 10}, 32),
    ("mobilenet_v2", "mobilenetV2", {"num_classes": 7, "width_mult": 0.5, "dropout": 0.1}, 32),
    ("mobilenet_v3_small", "mobilenetV3Small", {"num_classes": 10}, 64),
    ("mobilenet_v3_large", "mobilenetV3Large", {"num_classes": 10, "dropout": 0.4}, 64),
    ("squeezenet1_0", "squeezenet1_0", {"num_classes": 10}, 64),
    ("squeezenet1_1", "squeezenet1_1", {"num_classes": 10, "dropout": 0.2}, 64),
    ("densenet121", "densenet121", {"num_classes": 10}, 32),
    ("shufflenet_v2_x0_5", "shufflenetV2_x0_5", {"num_classes": 10}, 32),
    ("shufflenet_v2_x1_0", "shufflenetV2_x1_0", {"num_classes": 10}, 32),
    ("efficientnet_b0", "efficientnetB0", {"num_classes": 10}, 64),
    ("mnasnet0_5", "mnasnet0_5", {"num_classes": 10}, 64),
    ("mnasnet1_0", "mnasnet1_0", {"num_classes": 10, "dropout": 0.3}, 64),
]


def camel(k):
    head, *rest = k.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def formula(k, key, shape):
    n = int(np.prod(shape)) if shape else 1
    i = np.arange(n, dtype=np.int64)
    r = (i * 7919 + k * 104729 + 17) % 2003
    u = (r.astype(np.float64) - 1001) / 1001
    if len(shape) >= 2:
        v = u * math.sqrt(6 / (n / shape[0]))
    elif key.endswith("running_var"):
        v = 0.75 + 0.25 * u
    elif key.endswith("weight"):
        v = 1 + 0.2 * u
    else:
        v = 0.1 * u
    return torch.from_numpy(v.astype(np.float32).reshape(shape))


def model_input(size):
    i = np.arange(3 * size * size, dtype=np.int64)
    x = ((i * 31 + 7) % 97 - 48) / 48
    return torch.from_numpy(x.astype(np.float32).reshape(1, 3, size, size))


def case(tv_name, ts_name, kwargs, size):
    torch.manual_seed(0)
    model = getattr(tvm, tv_name)(weights=None, **{k: v for k, v in kwargs.items() if v is not None})
    sd = model.state_dict()
    keys = [f"{k}:{','.join(str(d) for d in v.shape)}" for k, v in sd.items()]
    new = OrderedDict()
    for k, (key, v) in enumerate(sd.items()):
        new[key] = formula(k, key, list(v.shape)) if v.is_floating_point() else v
    new._metadata = sd._metadata  # MNASNet's loader reads its layout version from it
    model.load_state_dict(new)
    model.eval()
    with torch.no_grad():
        out = model(model_input(size))
    assert torch.isfinite(out).all(), tv_name
    return {
        "torchvision": tv_name,
        "name": ts_name,
        "options": {camel(k): v for k, v in kwargs.items() if v is not None},
        "size": size,
        "keys": keys,
        "numParams": sum(p.numel() for p in model.parameters()),
        "dropouts": [m.p for m in model.modules() if isinstance(m, torch.nn.Dropout)],
        "logits": [float(f"{v:.8g}") for v in out.reshape(-1).tolist()],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"))
    ap.add_argument("--set", nargs="*", help="model sets to write (default: all); '' is this file's MODELS")
    args = ap.parse_args()
    torch.set_num_threads(1)
    sets = {"": {"MODELS": MODELS}}
    for name in sorted(os.listdir(os.path.join(ROOT, "tools", "modelsets"))):
        if name.endswith(".py") and not name.startswith("_"):
            sets[name[:-3]] = runpy.run_path(os.path.join(ROOT, "tools", "modelsets", name))
    os.makedirs(args.out, exist_ok=True)
    helpers = {"formula": formula, "camel": camel, "model_input": model_input}
    for name, module in sets.items():
        if args.set is not None and name not in args.set:
            continue
        body = {"models": [case(*m) for m in module["MODELS"]]}
        with open(os.path.join(args.out, f"models-{name}.json" if name else "models.json"), "w") as f:
            json.dump(body, f, separators=(",", ":"), allow_nan=False)
        if "write_extra" in module:  # a set's own further fixtures (e.g. training-mode outputs)
            module["write_extra"](args.out, helpers)


if __name__ == "__main__":
    main()
