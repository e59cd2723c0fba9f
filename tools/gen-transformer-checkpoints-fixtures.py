#!/usr/bin/python3
"""PyTorch oracle for loading torchvision checkpoints of the transformer-era models: writes
fixtures/models-transformer-pth/*.pth (read by test/models-transformer.test.ts).

Run with Debian's torch and torchvision 0.14 (`/usr/bin/python3 tools/gen-transformer-checkpoints-fixtures.py
[--out DIR]`; deterministic: the same bytes on every run).
Small instances of torchvision's own classes (SwinTransformer v1 and v2, VisionTransformer, ConvNeXt,
MaxVit) with torchvision's random initialisation (seeded), BatchNorm statistics moved by one
training-mode forward, and ViT's zero-initialised head and class token redrawn; each `state_dict()`
is written with `torch.save` exactly as torchvision users save theirs (int64 relative_position_index
buffers included). expected.json holds each model's constructor arguments (Tensile's spelling), input
size and eval-mode logits on the generator's fixed input (tools/gen-models-fixtures.py's
`model_input`).
"""
import argparse
import json
import os
import sys

sys.dont_write_bytecode = True

import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import numpy as np  # noqa: E402
import torch  # noqa: E402
from torchvision.models.convnext import CNBlockConfig, ConvNeXt  # noqa: E402
from torchvision.models.maxvit import MaxVit  # noqa: E402
from torchvision.models.swin_transformer import PatchMergingV2, SwinTransformer, SwinTransformerBlockV2  # noqa: E402
from torchvision.models.vision_transformer import VisionTransformer  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fixtures", "models-transformer-pth")


def model_input(size):
    i = np.arange(3 * size * size, dtype=np.int64)
    x = ((i * 31 + 7) % 97 - 48) / 48
    return torch.from_numpy(x.astype(np.float32).reshape(1, 3, size, size))


def cases():
    swin = {"patchSize": [4, 4], "embedDim": 8, "depths": [2, 2], "numHeads": [1, 2], "windowSize": [3, 3], "numClasses": 5}
    yield "swin", "swinTransformer", swin, 28, SwinTransformer([4, 4], 8, [2, 2], [1, 2], [3, 3], num_classes=5)
    yield "swin_v2", "swinTransformer", {**swin, "version": 2}, 28, SwinTransformer(
        [4, 4], 8, [2, 2], [1, 2], [3, 3], num_classes=5, block=SwinTransformerBlockV2, downsample_layer=PatchMergingV2)
    vit = {"imageSize": 32, "patchSize": 8, "numLayers": 2, "numHeads": 2, "hiddenDim": 16, "mlpDim": 32, "numClasses": 5}
    yield "vit", "visionTransformer", vit, 32, VisionTransformer(
        image_size=32, patch_size=8, num_layers=2, num_heads=2, hidden_dim=16, mlp_dim=32, num_classes=5)
    yield "convnext", "ConvNeXt", {"blockSetting": [[8, 16, 1], [16, None, 1]], "numClasses": 5}, 32, ConvNeXt(
        [CNBlockConfig(8, 16, 1), CNBlockConfig(16, None, 1)], num_classes=5)
    mv = {"inputSize": [32, 32], "stemChannels": 8, "partitionSize": 2, "blockChannels": [8, 16], "blockLayers": [1, 1], "headDim": 4,
          "stochasticDepthProb": 0.1, "numClasses": 5}
    yield "maxvit", "maxvit", mv, 32, MaxVit(input_size=(32, 32), stem_channels=8, partition_size=2, block_channels=[8, 16],
                                             block_layers=[1, 1], head_dim=4, stochastic_depth_prob=0.1, num_classes=5)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=OUT)
    out = ap.parse_args().out
    torch.set_num_threads(1)
    torch.manual_seed(0)
    os.makedirs(out, exist_ok=True)
    expected = {}
    for name, builder, options, size, m in cases():
        if isinstance(m, VisionTransformer):
            with torch.no_grad():
                m.heads.head.weight.normal_()
                m.class_token.normal_()
        m.train()
        with torch.no_grad():
            m(torch.randn(2, 3, size, size))  # BatchNorm statistics (MaxViT) move off their defaults
        m.eval()
        torch.save(m.state_dict(), os.path.join(out, f"{name}.pth"))
        with torch.no_grad():
            y = m(model_input(size))
        expected[name] = {"builder": builder, "options": options, "size": size,
                          "logits": [float(f"{v:.8g}") for v in y.reshape(-1).tolist()]}
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, allow_nan=False)


if __name__ == "__main__":
    main()
