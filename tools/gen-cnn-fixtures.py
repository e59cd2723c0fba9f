#!/usr/bin/python3
"""PyTorch oracle for Tensile's convolutional modules and models: writes fixtures/cnn-modules.json.

Run with Debian's torch (`/usr/bin/python3 tools/gen-cnn-fixtures.py [--out DIR]`). Deterministic
(fixed seeds, one thread). test/cnn-modules.test.ts reads the file; CI needs no Python.

Sections:
  conv       Conv1d/Conv2d/ConvTranspose2d modules with given weights: output, input/weight/bias grads
  batchnorm  BatchNorm1d/2d: two training steps (output, grads, running stats), then eval mode
  blocks     torchvision-style BasicBlock / Bottleneck (train forward+backward, running stats, eval)
  network    a small ResNet end to end: logits, cross-entropy loss, every parameter's gradient
  models     state-dict keys and shapes, parameter counts and str(model) of lenet5 / resnet variants
  reprs      str(layer) of the conv/pool/norm layers
  init       default-initialisation statistics of Conv2d over seeds
  layers     the other conv/pool/norm/padding/shuffle/fold/upsampling/embedding-bag layers with
             given parameters: outputs (and indices), input and parameter gradients, state before
             and after (running statistics), eval-mode output, state-dict keys and str(layer)
  paramContainers  ParameterList / ParameterDict (alone and nested): state-dict keys and str()
"""
import argparse
import json
import math
import os
import sys
from collections import OrderedDict

sys.dont_write_bytecode = True

import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def enc(t):
    t = t.detach()
    if t.dtype in (torch.int64, torch.int32):
        return {"shape": list(t.shape), "dtype": "int32", "data": [int(v) for v in t.reshape(-1).tolist()]}
    dtype = "float64" if t.dtype == torch.float64 else "float32"
    return {"shape": list(t.shape), "dtype": dtype, "data": [float(v) for v in t.reshape(-1).tolist()]}


def state(m):
    return {k: enc(v) for k, v in m.state_dict().items()}


def randomize(m, gen_scale=0.5):
    """Random affine parameters and running statistics for every BatchNorm, so eval mode and
    the weight gradients are not trivially 0/1."""
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, nn.modules.batchnorm._BatchNorm):
                if mod.affine:
                    mod.weight.uniform_(0.5, 1.5)
                    mod.bias.normal_(0, gen_scale)
                if mod.track_running_stats:
                    mod.running_mean.normal_(0, 0.2)
                    mod.running_var.uniform_(0.5, 2.0)


# ---------------------------------------------------------------- torchvision-style models

def conv3x3(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)


def conv1x1(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, 1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU()
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(conv1x1(inplanes, planes, stride), nn.BatchNorm2d(planes))

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        out = planes * 4
        self.conv1 = conv1x1(inplanes, planes)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes, stride)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = conv1x1(planes, out)
        self.bn3 = nn.BatchNorm2d(out)
        self.relu = nn.ReLU()
        self.downsample = None
        if stride != 1 or inplanes != out:
            self.downsample = nn.Sequential(conv1x1(inplanes, out, stride), nn.BatchNorm2d(out))

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class ResNet(nn.Module):
    """torchvision's ResNet with a small-image stem (3x3 conv, stride 1, no max-pool)."""

    def __init__(self, blocks, block="basic", channels=(64, 128, 256, 512), num_classes=10, in_channels=3):
        super().__init__()
        Block = BasicBlock if block == "basic" else Bottleneck
        self.conv1 = conv3x3(in_channels, channels[0])
        self.bn1 = nn.BatchNorm2d(channels[0])
        self.relu = nn.ReLU()
        inplanes = channels[0]
        for i, (n, planes) in enumerate(zip(blocks, channels)):
            layers = []
            for j in range(n):
                layers.append(Block(inplanes, planes, 2 if (j == 0 and i > 0) else 1))
                inplanes = planes * Block.expansion
            setattr(self, f"layer{i + 1}", nn.Sequential(*layers))
        self.n_stages = len(blocks)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(inplanes, num_classes)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        for i in range(self.n_stages):
            x = getattr(self, f"layer{i + 1}")(x)
        return self.fc(torch.flatten(self.avgpool(x), 1))


class LeNet5(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


# ---------------------------------------------------------------- sections

def grad_case(m, x, name, ctor, extra_args=()):
    s0 = state(m)  # before the forward pass updates any running statistics
    x = x.clone().requires_grad_(True)
    y = m(x, *extra_args)
    gy = torch.randn_like(y)
    y.backward(gy)
    return {
        "name": name, "ctor": ctor, "state": s0, "input": enc(x), "output": enc(y), "gradOutput": enc(gy),
        "gradInput": enc(x.grad), "grads": {k: enc(p.grad) for k, p in m.named_parameters()},
    }


def gen_conv():
    torch.manual_seed(1)
    out = []

    def case(name, cls, args, kwargs, shape, extra=()):
        m = cls(*args, **kwargs)
        d = grad_case(m, torch.randn(*shape), name, {"cls": cls.__name__, "args": list(args), "kwargs": kwargs}, extra)
        out.append(d)

    case("conv2d_basic", nn.Conv2d, (3, 4, 3), {}, (2, 3, 6, 6))
    case("conv2d_stride_pad_nobias", nn.Conv2d, (2, 5, 3), {"stride": 2, "padding": 1, "bias": False}, (2, 2, 7, 7))
    case("conv2d_groups_dilation", nn.Conv2d, (4, 6, 3), {"padding": 2, "dilation": 2, "groups": 2}, (1, 4, 6, 5))
    # many channels, few positions: the weight gradient takes the single-GEMM (N·L) path
    case("conv2d_wide_small_map", nn.Conv2d, (24, 32, 3), {"padding": 1}, (3, 24, 3, 3))
    case("conv2d_1x1_stride2", nn.Conv2d, (6, 4, 1), {"stride": 2, "bias": False}, (2, 6, 5, 5))
    case("conv2d_same", nn.Conv2d, (3, 2, (2, 3)), {"padding": "same"}, (1, 3, 5, 4))
    case("conv2d_reflect", nn.Conv2d, (2, 3, 3), {"padding": 1, "padding_mode": "reflect"}, (1, 2, 5, 5))
    case("conv2d_circular", nn.Conv2d, (2, 3, 3), {"padding": (1, 2), "padding_mode": "circular"}, (1, 2, 4, 5))
    case("conv1d_basic", nn.Conv1d, (3, 4, 3), {"stride": 2, "padding": 1}, (2, 3, 9))
    case("convtranspose2d_stride", nn.ConvTranspose2d, (4, 3, 3), {"stride": 2, "padding": 1, "output_padding": 1}, (2, 4, 3, 3))
    case("convtranspose2d_output_size", nn.ConvTranspose2d, (2, 2, 3), {"stride": 2, "padding": 1}, (1, 2, 3, 3), ([6, 6],))
    return out


def gen_batchnorm():
    torch.manual_seed(2)
    out = []

    def case(name, cls, args, kwargs, shape):
        m = cls(*args, **kwargs)
        randomize(m)
        init = state(m)
        steps = []
        for _ in range(2):
            if m.affine:
                m.zero_grad()
            x = (torch.randn(*shape) * 2 + 0.5).requires_grad_(True)
            y = m(x)
            gy = torch.randn_like(y)
            y.backward(gy)
            steps.append({"input": enc(x), "output": enc(y), "gradOutput": enc(gy), "gradInput": enc(x.grad),
                          "grads": {k: enc(p.grad) for k, p in m.named_parameters()}, "stateAfter": state(m)})
        m.eval()
        x = torch.randn(*shape)
        out.append({"name": name, "ctor": {"cls": cls.__name__, "args": list(args), "kwargs": kwargs}, "state": init,
                    "steps": steps, "eval": {"input": enc(x), "output": enc(m(x))}})

    case("bn2d_default", nn.BatchNorm2d, (3,), {}, (4, 3, 3, 3))
    case("bn2d_momentum_eps", nn.BatchNorm2d, (2,), {"momentum": 0.3, "eps": 1e-3}, (3, 2, 2, 4))
    case("bn2d_cumulative", nn.BatchNorm2d, (3,), {"momentum": None}, (2, 3, 2, 2))
    case("bn2d_no_affine", nn.BatchNorm2d, (2,), {"affine": False}, (3, 2, 3, 2))
    case("bn2d_no_running_stats", nn.BatchNorm2d, (2,), {"track_running_stats": False}, (3, 2, 2, 2))
    case("bn1d_2d_input", nn.BatchNorm1d, (5,), {}, (6, 5))
    case("bn1d_3d_input", nn.BatchNorm1d, (3,), {"momentum": 0.5}, (2, 3, 4))
    return out


def gen_blocks():
    torch.manual_seed(3)
    out = []
    for name, cls, args, shape in [
        ("basic_downsample", BasicBlock, (4, 8, 2), (2, 4, 6, 6)),
        ("basic_identity", BasicBlock, (4, 4, 1), (2, 4, 4, 4)),
        ("bottleneck_downsample", Bottleneck, (8, 2, 2), (2, 8, 5, 5)),
    ]:
        m = cls(*args)
        randomize(m)
        d = grad_case(m, torch.randn(*shape), name, {"cls": cls.__name__, "args": list(args)})
        d["stateAfter"] = state(m)
        m.eval()
        x = torch.randn(*shape)
        d["eval"] = {"input": enc(x), "output": enc(m(x))}
        out.append(d)
    return out


def gen_network():
    torch.manual_seed(4)
    m = ResNet([1, 1], "basic", (4, 8), num_classes=3, in_channels=1)
    randomize(m, 0.1)
    init = state(m)
    x = torch.randn(4, 1, 8, 8)
    target = torch.tensor([0, 2, 1, 2])
    logits = m(x)
    loss = F.cross_entropy(logits, target)
    loss.backward()
    after = state(m)
    m.eval()
    return {"opts": {"blocks": [1, 1], "channels": [4, 8], "numClasses": 3, "inChannels": 1},
            "state": init, "input": enc(x), "target": enc(target), "logits": enc(logits), "loss": loss.item(),
            "grads": {k: enc(p.grad) for k, p in m.named_parameters()}, "stateAfter": after,
            "evalLogits": enc(m(x))}


def gen_models():
    out = []
    specs = [
        ("lenet5", {}, LeNet5()),
        ("resnet", {"blocks": [2, 2, 2], "channels": [16, 32, 64], "numClasses": 10, "inChannels": 1},
         ResNet([2, 2, 2], "basic", (16, 32, 64), 10, 1)),
        ("resnet", {"blocks": [1, 2], "block": "bottleneck", "channels": [8, 16], "numClasses": 5, "inChannels": 3},
         ResNet([1, 2], "bottleneck", (8, 16), 5, 3)),
        ("resnet", {"blocks": [2, 2, 2, 2]}, ResNet([2, 2, 2, 2], "basic", (64, 128, 256, 512), 10, 3)),
    ]
    for factory, opts, m in specs:
        out.append({"factory": factory, "opts": opts,
                    "keys": [[k, list(v.shape)] for k, v in m.state_dict().items()],
                    "numParams": sum(p.numel() for p in m.parameters()), "repr": str(m)})
    return out


def gen_reprs():
    layers = [
        nn.Conv2d(1, 6, 5, padding=2), nn.Conv2d(16, 33, (3, 5), stride=(2, 1), padding=(4, 2), dilation=(3, 1)),
        nn.Conv2d(4, 8, 3, groups=2, bias=False, padding="same"), nn.Conv2d(2, 2, 3, padding=1, padding_mode="reflect"),
        nn.Conv1d(16, 33, 3, stride=2), nn.ConvTranspose2d(16, 8, 2, stride=2),
        nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1, bias=False),
        nn.MaxPool2d(2), nn.MaxPool2d(3, stride=2, padding=1), nn.MaxPool1d(3, 2), nn.AvgPool2d(2),
        nn.AvgPool2d(3, stride=2, padding=1), nn.AdaptiveAvgPool2d((1, 1)), nn.AdaptiveAvgPool2d(5),
        nn.BatchNorm2d(16), nn.BatchNorm1d(10, momentum=None, affine=False), nn.BatchNorm2d(4, eps=1e-3, track_running_stats=False),
        nn.LayerNorm(32), nn.LayerNorm([3, 4], eps=1e-6, elementwise_affine=False), nn.GroupNorm(4, 32),
        nn.Dropout2d(0.25), nn.Upsample(scale_factor=2), nn.Upsample(size=(5, 4), mode="bilinear", align_corners=True),
    ]
    return [str(m) for m in layers]


def gen_init():
    out = []
    for seed in range(3):
        torch.manual_seed(seed)
        m = nn.Conv2d(16, 32, 3)
        t = lambda v: {"min": v.min().item(), "max": v.max().item(), "mean": v.mean().item(), "std": v.std().item()}
        out.append({"seed": seed, "weight": t(m.weight.detach()), "bias": t(m.bias.detach())})
    return {"conv2d_16_32_3": out, "bound": 1 / math.sqrt(16 * 9)}


def gen_layers():
    """Layers tested module by module. Each case: constructor (positional args + kwargs, which
    Tensile takes as a trailing options object), parameters and buffers randomised, then one
    forward (training mode) with backward of (out * g).sum(), and one eval-mode forward."""
    torch.manual_seed(5)
    out = []

    def case(name, cls, args, kwargs, inputs, grad=True):
        m = cls(*args, **kwargs)
        with torch.no_grad():
            for p in m.parameters():
                p.normal_()
            for k, b in m.named_buffers():
                if k.endswith("running_mean"):
                    b.normal_(0, 0.2)
                elif k.endswith("running_var"):
                    b.uniform_(0.5, 2.0)
        s0 = state(m)
        xs = [None if x is None else x.clone().requires_grad_(grad and x.is_floating_point()) for x in inputs]
        y = m(*xs)
        outs = list(y) if isinstance(y, tuple) else [y]
        rec = {"name": name, "ctor": {"cls": cls.__name__, "args": list(args), "kwargs": kwargs}, "state": s0,
               "inputs": [None if x is None else enc(x) for x in inputs], "outputs": [enc(o) for o in outs],
               "keys": list(m.state_dict().keys()), "repr": repr(m)}
        if grad:
            gy = torch.randn_like(outs[0])
            outs[0].backward(gy)
            rec["gradOutput"] = enc(gy)
            rec["inputGrads"] = [enc(x.grad) if x is not None and x.grad is not None else None for x in xs]
            rec["grads"] = {k: enc(p.grad) for k, p in m.named_parameters() if p.requires_grad}
        rec["stateAfter"] = state(m)
        m.eval()
        with torch.no_grad():
            e = m(*inputs)
        rec["evalOutputs"] = [enc(o) for o in (list(e) if isinstance(e, tuple) else [e])]
        out.append(rec)

    r = torch.randn
    case("convtranspose1d", nn.ConvTranspose1d, (4, 3, 3), {"stride": 2, "padding": 1, "output_padding": 1}, [r(2, 4, 5)])
    case("convtranspose1d_groups_dilation_nobias", nn.ConvTranspose1d, (4, 6, 2), {"groups": 2, "dilation": 2, "bias": False}, [r(1, 4, 4)])
    case("convtranspose1d_unbatched", nn.ConvTranspose1d, (2, 2, 3), {}, [r(2, 4)])
    case("avgpool1d", nn.AvgPool1d, (3,), {"stride": 2, "padding": 1, "count_include_pad": False}, [r(2, 3, 8)])
    case("avgpool1d_ceil", nn.AvgPool1d, (2,), {"ceil_mode": True}, [r(1, 2, 7)])
    case("adaptiveavgpool1d", nn.AdaptiveAvgPool1d, (3,), {}, [r(2, 3, 7)])
    case("adaptivemaxpool1d", nn.AdaptiveMaxPool1d, (3,), {}, [r(2, 3, 7)])
    case("adaptivemaxpool1d_indices", nn.AdaptiveMaxPool1d, (4,), {"return_indices": True}, [r(1, 2, 9)])
    case("adaptivemaxpool2d", nn.AdaptiveMaxPool2d, ((2, 3),), {}, [r(2, 2, 5, 7)])
    case("adaptivemaxpool2d_none_indices", nn.AdaptiveMaxPool2d, ((None, 2),), {"return_indices": True}, [r(1, 2, 3, 5)])
    case("lppool1d", nn.LPPool1d, (2, 3), {"stride": 2}, [r(2, 3, 9)])
    case("lppool2d", nn.LPPool2d, (2, (2, 3)), {"ceil_mode": True}, [r(1, 2, 5, 7)])
    case("lppool2d_p1_5", nn.LPPool2d, (1.5, 2), {}, [torch.rand(1, 2, 4, 4) + 0.5])
    case("instancenorm1d", nn.InstanceNorm1d, (3,), {}, [r(2, 3, 5)])
    case("instancenorm1d_affine_unbatched", nn.InstanceNorm1d, (3,), {"affine": True}, [r(3, 6)])
    case("instancenorm2d_affine_tracked", nn.InstanceNorm2d, (3,), {"affine": True, "track_running_stats": True, "momentum": 0.3},
         [r(2, 3, 4, 4) * 2 + 0.5])
    case("instancenorm2d_tracked_eps", nn.InstanceNorm2d, (2,), {"track_running_stats": True, "eps": 1e-3}, [r(3, 2, 3, 2)])
    case("localresponsenorm", nn.LocalResponseNorm, (2,), {}, [r(2, 5, 3, 3)])
    case("localresponsenorm_options", nn.LocalResponseNorm, (3, 0.01, 0.5, 2.0), {}, [r(2, 4, 6)])
    case("pixelshuffle", nn.PixelShuffle, (2,), {}, [r(2, 8, 2, 3)])
    case("pixelunshuffle", nn.PixelUnshuffle, (2,), {}, [r(2, 2, 4, 6)])
    case("channelshuffle", nn.ChannelShuffle, (3,), {}, [r(2, 6, 2, 2)], grad=False)  # no derivative in torch 1.13
    case("zeropad2d", nn.ZeroPad2d, ((1, 2, 0, 3),), {}, [r(1, 2, 3, 3)])
    case("zeropad2d_int", nn.ZeroPad2d, (2,), {}, [r(2, 3, 3)])
    case("constantpad1d", nn.ConstantPad1d, ((2, 1), 3.5), {}, [r(1, 2, 4)])
    case("constantpad2d", nn.ConstantPad2d, (1, -1.5), {}, [r(1, 2, 3, 2)])
    case("reflectionpad1d", nn.ReflectionPad1d, ((3, 1),), {}, [r(2, 2, 5)])
    case("reflectionpad2d", nn.ReflectionPad2d, ((1, 1, 2, 0),), {}, [r(1, 2, 3, 4)])
    case("replicationpad1d", nn.ReplicationPad1d, (2,), {}, [r(1, 3, 4)])
    case("replicationpad2d", nn.ReplicationPad2d, ((2, 0, 1, 3),), {}, [r(1, 1, 3, 3)])
    case("fold", nn.Fold, ((4, 5), (2, 2)), {}, [r(2, 12, 12)])
    case("fold_options", nn.Fold, (4, 2), {"padding": 1, "stride": 2}, [r(1, 8, 9)])
    case("unfold", nn.Unfold, ((2, 3),), {"dilation": 1, "padding": 1, "stride": (1, 2)}, [r(2, 3, 4, 4)])
    case("upsamplingnearest2d_scale", nn.UpsamplingNearest2d, (), {"scale_factor": 2}, [r(1, 2, 2, 3)])
    case("upsamplingnearest2d_size", nn.UpsamplingNearest2d, ((4, 5),), {}, [r(1, 2, 3, 3)])
    case("upsamplingbilinear2d_scale", nn.UpsamplingBilinear2d, (), {"scale_factor": 2}, [r(1, 2, 2, 3)])
    case("upsamplingbilinear2d_size", nn.UpsamplingBilinear2d, (5,), {}, [r(1, 1, 3, 4)])
    i = lambda *v: torch.tensor(v)
    case("embeddingbag_mean_offsets", nn.EmbeddingBag, (10, 3), {}, [i(1, 2, 4, 5, 4, 3, 2, 9), i(0, 4)])
    case("embeddingbag_sum_2d_per_sample_weights", nn.EmbeddingBag, (10, 3), {"mode": "sum"},
         [torch.randint(0, 10, (3, 4)), None, r(3, 4)])
    case("embeddingbag_max_padding_idx", nn.EmbeddingBag, (10, 4), {"mode": "max", "padding_idx": 0},
         [i(1, 0, 4, 0, 0, 7, 3), i(0, 3, 5)])
    case("embeddingbag_sum_include_last_offset", nn.EmbeddingBag, (10, 3), {"mode": "sum", "include_last_offset": True},
         [i(1, 2, 4, 5, 4, 3), i(0, 2, 2, 6)])
    case("conv3d", nn.Conv3d, (2, 3, 3), {"stride": (1, 2, 1), "padding": 1}, [r(2, 2, 4, 5, 4)])
    case("conv3d_groups_nobias_reflect", nn.Conv3d, (4, 2, (2, 3, 1)), {"groups": 2, "bias": False, "padding": (1, 1, 0),
                                                                        "padding_mode": "reflect"}, [r(1, 4, 3, 4, 3)])
    case("maxpool3d", nn.MaxPool3d, (2,), {"stride": 1, "padding": 1}, [r(1, 2, 3, 4, 4)])
    case("avgpool3d", nn.AvgPool3d, (3,), {"stride": 2, "padding": 1, "count_include_pad": False}, [r(1, 2, 5, 4, 5)])
    case("batchnorm3d", nn.BatchNorm3d, (3,), {"momentum": 0.2}, [r(2, 3, 2, 3, 2) * 2 + 0.5])
    return out


def gen_param_containers():
    """ParameterList / ParameterDict: state-dict keys (with shapes) and str(), alone and inside a module."""
    class Holder(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(2, 3)
            self.pl = nn.ParameterList([nn.Parameter(torch.zeros(3, 4)), nn.Parameter(torch.zeros(3))])
            self.pd = nn.ParameterDict({"w": nn.Parameter(torch.zeros(2)), "b": nn.Parameter(torch.zeros(1, dtype=torch.float64)),
                                        "a": nn.Parameter(torch.zeros(2, 2))})

    out = []
    for name, m in [("ParameterList", nn.ParameterList([nn.Parameter(torch.zeros(3, 4)), nn.Parameter(torch.zeros(3))])),
                    ("ParameterList(one)", nn.ParameterList([nn.Parameter(torch.zeros(5))])),
                    ("ParameterList(empty)", nn.ParameterList()),
                    ("ParameterDict(OrderedDict)", nn.ParameterDict(OrderedDict([("b", nn.Parameter(torch.zeros(2))),
                                                                                 ("a", nn.Parameter(torch.zeros(2, 3, dtype=torch.float64)))]))),
                    ("ParameterDict(empty)", nn.ParameterDict()),
                    ("Holder", Holder())]:
        out.append({"name": name, "keys": [[k, list(v.shape)] for k, v in m.state_dict().items()],
                    "namedParameters": [k for k, _ in m.named_parameters()], "repr": repr(m)})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"))
    opts = ap.parse_args()
    torch.set_num_threads(1)
    body = {"generator": "tools/gen-cnn-fixtures.py", "torch": torch.__version__,
            "conv": gen_conv(), "batchnorm": gen_batchnorm(), "blocks": gen_blocks(), "network": gen_network(),
            "models": gen_models(), "reprs": gen_reprs(), "init": gen_init(),
            "layers": gen_layers(), "paramContainers": gen_param_containers()}
    os.makedirs(opts.out, exist_ok=True)
    path = os.path.join(opts.out, "cnn-modules.json")
    with open(path, "w") as f:
        json.dump(body, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
