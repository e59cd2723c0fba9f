"""torchvision 0.14 oracle for the fixes that followed the image-transform differential-fuzzing pass
(tools/fuzz/ family vision): `transforms.centerCrop` rounding its offset as Python (halves to even),
`transforms.resize` / `gaussianBlur` on int32 (uint8) images computed on the byte scale as torchvision's
uint8 kernels, `functional.adjustSharpness` / `gaussianBlur` kernels in float64 for float64 images, and
`transforms.pad` refusing reflect pads as long as the side. Tests in test/fuzz-fixes-vision.test.ts.
Run from the repository root with Debian's torch (1.13) and torchvision (0.14):

    /usr/bin/python3 tools/gen-fuzz-fixes-vision-fixtures.py [--out DIR]

Writes fixtures/fuzz-fixes-vision.json (deterministic: inputs are written too). Tensors are
{shape, dtype, data}; uint8 images are written as int32 (Tensile's 0-255 images).
"""
import argparse
import os
import sys
import warnings

sys.dont_write_bytecode = True
warnings.filterwarnings("ignore")

import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402
import torchvision.transforms.functional as TF  # noqa: E402
from torchvision.transforms import InterpolationMode  # noqa: E402
from torchfix.fixio import enc, write_json  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = {"generator": "tools/gen-fuzz-fixes-vision-fixtures.py", "torch": torch.__version__}
torch.set_num_threads(1)
IM = {"nearest": InterpolationMode.NEAREST, "bilinear": InterpolationMode.BILINEAR, "bicubic": InterpolationMode.BICUBIC}


def u8(shape, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, shape, generator=g, dtype=torch.uint8)


def i32(t):
    return enc(t.to(torch.int32))


def err(f):
    try:
        f()
    except Exception as e:  # noqa: BLE001
        return str(e).split("\n")[0]
    return None


def center_crop_cases():
    # offsets round((n - t) / 2) with halves to even: 0.5 -> 0, 2.5 -> 2; too-small sides pad first
    out = []
    for k, (shape, size) in enumerate([([1, 6, 9], [5, 7]), ([3, 13, 4], [12, 5]), ([3, 6, 10], [1, 5]),
                                       ([1, 10, 10], [5, 5]), ([3, 2, 1], [1, 3]), ([2, 3, 8, 8], [3, 9])]):
        x = u8(shape, 10 + k)
        out.append({"x": i32(x), "size": size, "out": i32(TF.center_crop(x, size))})
    return out


def resize_u8_cases():
    # torchvision's uint8 resize: interpolate the bytes as float32, round (halves to even), clamp
    out = []
    specs = [([3, 7, 13], [12, 6], "bilinear", False), ([3, 5, 9], [7, 12], "bilinear", True),
             ([3, 10, 2], [6, 6], "bilinear", True), ([1, 2, 8], [9, 8], "bicubic", True),
             ([3, 16, 16], [8, 8], "bilinear", False), ([3, 9, 9], [3, 3], "bicubic", False),
             ([3, 12, 9], [5, 7], "bicubic", True), ([1, 5, 16], [7, 22], "nearest", False),
             ([3, 3, 7], [10, 6], "bilinear", False), ([2, 6, 5], [11, 3], "bilinear", False)]
    for k, (shape, size, mode, aa) in enumerate(specs):
        x = u8(shape, 100 + k)
        y = TF.resize(x, size, IM[mode], antialias=aa)
        # how many bytes the old detour (x / 255, resize, * 255, round) gets wrong: the fixture must catch it
        via = (TF.resize(x.float() / 255, size, IM[mode], antialias=aa) * 255).round().clamp(0, 255)
        # the float32 values before rounding: F.interpolate must give them bit for bit
        pre = TF.resize(x.float(), size, IM[mode], antialias=aa)
        out.append({"x": i32(x), "size": size, "mode": mode, "antialias": aa, "out": i32(y), "float": enc(pre),
                    "detourDiffers": int((via != y.float()).sum())})
    return out


def blur_u8_cases():
    out = []
    for k, (shape, ks, s) in enumerate([([3, 16, 16], 3, 0.5), ([3, 16, 13], 5, 1.5), ([3, 16, 16], [3, 5], 1.0), ([3, 16, 16], 3, 0.8)]):
        x = u8(shape, 200 + k)
        y = TF.gaussian_blur(x, ks, [s, s])
        via = (TF.gaussian_blur(x.float() / 255, ks, [s, s]) * 255).round().clamp(0, 255)
        out.append({"x": i32(x), "kernel": ks, "sigma": s, "out": i32(y), "detourDiffers": int((via != y.float()).sum())})
    return out


def float64_kernel_cases():
    g = torch.Generator().manual_seed(7)
    x = torch.rand([2, 3, 9, 8], generator=g, dtype=torch.float64)
    sharp = {str(f): enc(TF.adjust_sharpness(x, f)) for f in (0.5, 1.204, 2.983)}
    blur = []
    # rtol: bit-level where Tensile's float32 exp agrees with torch's; sigma 1.3 meets a 1-ulp difference
    # of exp(-1.1834) in float32 (torch's vectorised exp vs a correctly rounded one), so float32-level there
    for ks, s, rtol in [(3, [0.5, 0.5], 1e-13), (5, [1.0, 1.0], 1e-13), ([3, 5], [0.7, 1.3], 3e-7), ([1, 3], [2.0, 2.0], 1e-13),
                        (7, [0.9, 0.9], 1e-13)]:
        blur.append({"kernel": ks, "sigma": s, "rtol": rtol, "out": enc(TF.gaussian_blur(x, ks, s))})
    return {"x": enc(x), "sharpness": sharp, "blur": blur}


def pad_reflect_errors():
    x = u8([3, 2, 4], 300)
    return {"x": i32(x),
            "ok": {"padding": [3, 1, 3, 1], "out": i32(TF.pad(x, [3, 1, 3, 1], padding_mode="reflect"))},
            "tooWide": {"padding": [4, 0, 0, 0], "error": err(lambda: TF.pad(x, [4, 0, 0, 0], padding_mode="reflect"))},
            "tooTall": {"padding": [0, 0, 0, 2], "error": err(lambda: TF.pad(x, [0, 0, 0, 2], padding_mode="reflect"))}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"))
    a = ap.parse_args()
    data = {**HEADER, "centerCrop": center_crop_cases(), "resizeU8": resize_u8_cases(), "blurU8": blur_u8_cases(),
            "float64Kernels": float64_kernel_cases(), "padReflect": pad_reflect_errors()}
    for k in ("resizeU8", "blurU8"):
        n = sum(c["detourDiffers"] for c in data[k])
        print(f"{k}: the /255 detour differs from torchvision in {n} bytes", file=sys.stderr)
    write_json(a.out, "fuzz-fixes-vision.json", data)


if __name__ == "__main__":
    main()
