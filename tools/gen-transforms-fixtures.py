"""torchvision oracle for Tensile's `data.transforms.functional` (torchvision 0.14 on tensors).

Run from the repository root with Debian's torch and torchvision:

    /usr/bin/python3 tools/gen-transforms-fixtures.py [--out DIR]

It writes fixtures/transforms.json: seeded float32 input images ("inputs": name → tensor) and cases
{fn, input, args, out}: `fn` is the Tensile function name, `args` its arguments after the image (in
Tensile's form: options objects where torchvision has keyword arguments), `out` torchvision's result.
posterize and equalize run on `convert_image_dtype(img, uint8)` and their result is divided by 255,
which is what Tensile's float versions promise. test/data-transforms.test.ts reads it.

After "cases" come the sets that test/transforms-more.test.ts and test/data-more.test.ts read:
"elasticParams" (ElasticTransform.get_params: its uniform noise, re-drawn from the same seed, and
the displacement), "elasticCases" (F.elastic_transform at a given displacement), "linearCases"
(LinearTransformation), "augMixSpaces" and "augMixCases" (AugMix with its Dirichlet draws and op
chains recorded: the float-image contract routes Posterize/Equalize through uint8 and divides
Solarize's threshold by 255, as Tensile's `applyAugmentOp` does), and "distributedSampler"
(torch.utils.data.DistributedSampler's indices per rank, without shuffling).
"""
import argparse
import json
import math
import os
import sys
import warnings

sys.dont_write_bytecode = True  # keep __pycache__ out of the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402
import numpy as np  # noqa: E402
import torchvision.transforms.functional as TF  # noqa: E402
from torchvision.transforms import InterpolationMode as IM  # noqa: E402

GENERATOR = "tools/gen-transforms-fixtures.py"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODES = {"nearest": IM.NEAREST, "bilinear": IM.BILINEAR, "bicubic": IM.BICUBIC}


def enc(t):
    t = t.detach()
    if not t.is_floating_point():
        return {"shape": list(t.shape), "dtype": "int32", "data": [int(v) for v in t.reshape(-1).tolist()]}
    # the shortest decimal that reads back as the same float32 (the values are float32: a smaller file)
    return {"shape": list(t.shape), "dtype": "float32",
            "data": [float(np.format_float_positional(v, unique=True)) for v in t.to(torch.float32).reshape(-1).numpy()]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"), help="output folder")
    opts = ap.parse_args()
    warnings.filterwarnings("ignore", category=UserWarning)
    torch.set_num_threads(1)

    g = torch.Generator().manual_seed(20261129)
    inputs = {
        "rgb": torch.rand(3, 8, 10, generator=g),
        "grey": torch.rand(1, 8, 10, generator=g),
        "batch": torch.rand(2, 3, 8, 10, generator=g),
        # few levels and 320 pixels per channel, so that equalize's histogram step is not 0
        "lowrange": (torch.randint(0, 40, (3, 16, 20), generator=g).float() * 2 + 10) / 255,
    }
    # an image with a constant channel (autocontrast's division by zero)
    flat = inputs["rgb"].clone()
    flat[1] = 0.25
    inputs["flatchannel"] = flat
    cases = []

    def case(fn, name, args, out):
        if isinstance(out, (list, tuple)):
            out = torch.stack(list(out))
        cases.append({"fn": fn, "input": name, "args": args, "out": enc(out)})

    def u8(x):
        return TF.convert_image_dtype(x, torch.uint8)

    rgb = inputs["rgb"]
    # geometry
    for name in ("rgb", "grey"):
        x = inputs[name]
        for size, mode, aa in [([5, 7], "bilinear", False), (5, "nearest", False), ([12, 13], "bicubic", False),
                               ([4, 6], "bilinear", True), (6, "bicubic", True), ([11, 16], "bilinear", False)]:
            case("resize", name, [size, {"interpolation": mode, "antialias": aa}],
                 TF.resize(x, size, MODES[mode], antialias=aa))
    case("resize", "rgb", [6, {"maxSize": 7}], TF.resize(rgb, 6, max_size=7))
    case("crop", "rgb", [1, 2, 4, 5], TF.crop(rgb, 1, 2, 4, 5))
    case("crop", "rgb", [-1, -2, 5, 6], TF.crop(rgb, -1, -2, 5, 6))
    case("crop", "batch", [5, 7, 5, 6], TF.crop(inputs["batch"], 5, 7, 5, 6))
    for size in (5, [4, 6], [10, 13], [3, 4]):
        case("centerCrop", "rgb", [size], TF.center_crop(rgb, size))
    case("hflip", "rgb", [], TF.hflip(rgb))
    case("vflip", "batch", [], TF.vflip(inputs["batch"]))
    for padding, fill, mode in [([1, 2], 0.5, "constant"), (2, 0, "edge"), ([1, 2, 3, 1], 0, "reflect"), ([1, 2, 3, 1], 0, "symmetric"), (3, 0, "symmetric")]:
        case("pad", "rgb", [padding, fill, mode], TF.pad(rgb, padding, fill, mode))
    case("fiveCrop", "rgb", [[4, 5]], TF.five_crop(rgb, [4, 5]))
    case("tenCrop", "rgb", [3, True], TF.ten_crop(rgb, 3, True))
    case("resizedCrop", "rgb", [1, 2, 5, 6, [7, 7], {"interpolation": "bilinear"}], TF.resized_crop(rgb, 1, 2, 5, 6, [7, 7]))
    case("resize", "batch", [[5, 7], {"interpolation": "bilinear", "antialias": True}], TF.resize(inputs["batch"], [5, 7], antialias=True))
    for name in ("rgb", "batch"):
        x = inputs[name]
        for angle, mode, expand, center, fill in [(30, "nearest", False, None, None), (45, "bilinear", False, None, None),
                                                  (90, "nearest", False, None, None), (30, "bilinear", True, None, None),
                                                  (-20, "bilinear", False, [2, 3], [0.1, 0.2, 0.3]), (60, "nearest", True, None, [1.0]),
                                                  (15, "bilinear", False, None, [0.5])]:
            o = {"interpolation": mode, "expand": expand}
            if center is not None:
                o["center"] = center
            if fill is not None:
                o["fill"] = fill
            case("rotate", name, [angle, o], TF.rotate(x, angle, MODES[mode], expand, center, fill))
    for angle, tr, sc, sh, mode, fill, center in [(10, [1, -2], 1.2, [5, 3], "bilinear", None, None),
                                                  (0, [2, 1], 1.0, [0, 0], "nearest", [0.0], None),
                                                  (-25, [0, 0], 0.8, [-10, 0], "bilinear", [0.3, 0.6, 0.9], [3, 2]),
                                                  (0, [0, 0], 1.0, [math.degrees(math.atan(0.3)), 0], "nearest", [0.0], [0, 0]),
                                                  (5, [-3, 1], 1.5, [0, 20], "nearest", None, None)]:
        o = {"interpolation": mode}
        if fill is not None:
            o["fill"] = fill
        if center is not None:
            o["center"] = center
        case("affine", "rgb", [angle, tr, sc, sh, o], TF.affine(rgb, angle, tr, sc, sh, MODES[mode], fill, center))
    start = [[0, 0], [9, 0], [9, 7], [0, 7]]
    for end, mode, fill in [([[1, 1], [8, 0], [9, 6], [2, 7]], "bilinear", None),
                            ([[2, 1], [7, 2], [8, 5], [0, 7]], "bilinear", [0.5]),
                            ([[0, 2], [9, 1], [7, 7], [1, 6]], "nearest", [0.0])]:
        o = {"interpolation": mode}
        if fill is not None:
            o["fill"] = fill
        case("perspective", "rgb", [start, end, o], TF.perspective(rgb, start, end, MODES[mode], fill))
    v = torch.tensor([0.1, 0.5, 0.9])[:, None, None]
    case("erase", "rgb", [2, 3, 4, 5, {"shape": [3, 1, 1], "dtype": "float32", "data": [0.1, 0.5, 0.9]}], TF.erase(rgb, 2, 3, 4, 5, v))
    # colour (the batch only through the ops that reduce over an image: contrast, autocontrast, equalize, hue)
    b = inputs["batch"]
    case("adjustContrast", "batch", [0.3], TF.adjust_contrast(b, 0.3))
    case("adjustHue", "batch", [0.2], TF.adjust_hue(b, 0.2))
    case("adjustSharpness", "batch", [2.0], TF.adjust_sharpness(b, 2.0))
    case("gaussianBlur", "batch", [3, 1.0], TF.gaussian_blur(b, 3, 1.0))
    case("autocontrast", "batch", [], TF.autocontrast(b))
    case("equalize", "batch", [], TF.equalize(u8(b)).float() / 255)
    for name in ("rgb", "grey"):
        x = inputs[name]
        for f in (0.5, 1.7):
            case("adjustBrightness", name, [f], TF.adjust_brightness(x, f))
        for f in (0.3, 1.8):
            case("adjustContrast", name, [f], TF.adjust_contrast(x, f))
        for f in (0.0, 0.5, 2.0):
            case("adjustSaturation", name, [f], TF.adjust_saturation(x, f))
        for f in (-0.3, 0.1, 0.5):
            case("adjustHue", name, [f], TF.adjust_hue(x, f))
        for gamma, gain in ((0.5, 1.0), (2.2, 0.8)):
            case("adjustGamma", name, [gamma, gain], TF.adjust_gamma(x, gamma, gain))
        for f in (0.0, 0.5, 2.0):
            case("adjustSharpness", name, [f], TF.adjust_sharpness(x, f))
        for n in (1, 3):
            case("rgbToGrayscale", name, [n], TF.rgb_to_grayscale(x, n))
        for ks, sigma in ((3, 1.0), ([5, 3], [1.5, 0.7]), (3, None), ([1, 5], [0.4, 2.0])):
            case("gaussianBlur", name, [ks, sigma], TF.gaussian_blur(x, ks, sigma))
        case("invert", name, [], TF.invert(x))
        for bits in (1, 4, 7):
            case("posterize", name, [bits], TF.posterize(u8(x), bits).float() / 255)
        for t in (0.5, 0.2):
            case("solarize", name, [t], TF.solarize(x, t))
        case("autocontrast", name, [], TF.autocontrast(x))
        case("equalize", name, [], TF.equalize(u8(x)).float() / 255)
    case("autocontrast", "flatchannel", [], TF.autocontrast(inputs["flatchannel"]))
    case("equalize", "lowrange", [], TF.equalize(u8(inputs["lowrange"])).float() / 255)
    case("posterize", "lowrange", [3], TF.posterize(u8(inputs["lowrange"]), 3).float() / 255)
    case("convertImageDtype", "rgb", ["int32"], u8(rgb).int())

    # the magnitude tables of the augmentation policies (op name → [magnitudes, signed])
    from torchvision.transforms import autoaugment as AA

    def space(d):
        return {k: [[float(v) for v in m.reshape(-1).tolist()] if m.ndim > 0 else [], s] for k, (m, s) in d.items()}
    spaces = {
        "autoAugment": space(AA.AutoAugment()._augmentation_space(10, (8, 10))),
        "randAugment": space(AA.RandAugment()._augmentation_space(31, (8, 10))),
        "randAugment7": space(AA.RandAugment()._augmentation_space(7, (32, 24))),
        "trivialAugmentWide": space(AA.TrivialAugmentWide()._augmentation_space(31)),
        "trivialAugmentWide9": space(AA.TrivialAugmentWide()._augmentation_space(9)),
    }
    coeffs = TF._get_perspective_coeffs(start, [[1, 1], [8, 0], [9, 6], [2, 7]])
    more = more_fixtures(inputs, u8)
    os.makedirs(opts.out, exist_ok=True)
    body = ",\n".join(json.dumps(c, separators=(",", ":"), allow_nan=False) for c in cases)
    ins = ",\n".join(f"{json.dumps(k)}:{json.dumps(enc(v), separators=(',', ':'))}" for k, v in inputs.items())
    import torchvision
    text = (f'{{"generator":{json.dumps(GENERATOR)},"torch":{json.dumps(torch.__version__)},"torchvision":{json.dumps(torchvision.__version__)},\n'
            f'"perspectiveCoeffs":{json.dumps({"start": start, "end": [[1, 1], [8, 0], [9, 6], [2, 7]], "coeffs": coeffs})},\n'
            f'"augmentSpaces":{json.dumps(spaces, separators=(",", ":"))},\n'
            f'"inputs":{{\n{ins}\n}},\n"cases":[\n{body}\n]'
            + "".join(f',\n{json.dumps(k)}:{json.dumps(v, separators=(",", ":"), allow_nan=False)}' for k, v in more.items()) + '}\n')
    with open(os.path.join(opts.out, "transforms.json"), "w", encoding="utf-8") as f:
        f.write(text)
    print(f"torch {torch.__version__}: transforms.json: {len(cases)} cases / {len(text) / 1e6:.2f} MB")


def more_fixtures(inputs, u8):
    """Elastic, linear, AugMix and DistributedSampler sets (after every existing case: the global seeds here do not move them)."""
    import torchvision.transforms as T
    from torchvision.transforms import autoaugment as AA
    from torch.utils.data import DistributedSampler
    more = {}

    # ElasticTransform.get_params: draws two torch.rand fields (blurring draws nothing), so re-seeding gives its noise
    params = []
    for seed, alpha, sigma, size in [(1, [2.0, 2.0], [0.5, 0.5], [8, 10]), (2, [3.0, 1.5], [0.9, 0.6], [8, 10]),
                                     (3, [1.0, 1.0], [0.0, 0.0], [8, 10]), (4, [4.0, 2.5], [1.2, 0.8], [12, 11])]:
        torch.manual_seed(seed)
        disp = T.ElasticTransform.get_params(alpha, sigma, size)
        torch.manual_seed(seed)
        ux, uy = torch.rand([1, 1] + size), torch.rand([1, 1] + size)
        params.append({"alpha": alpha, "sigma": sigma, "size": size, "ux": enc(ux), "uy": enc(uy), "displacement": enc(disp), "_t": disp})
    cases = []
    for name, k, mode, fill in [("rgb", 0, "bilinear", None), ("rgb", 1, "nearest", [0.1, 0.2, 0.3]), ("batch", 1, "bilinear", 0.5),
                                ("grey", 2, "bilinear", [1.0]), ("rgb", 2, "nearest", None), ("batch", 0, "nearest", 0.0),
                                ("rgb", 1, "bilinear", [0.9, 0.5, 0.1])]:
        o = {"interpolation": mode}
        if fill is not None:
            o["fill"] = fill
        disp = params[k]["_t"]
        cases.append({"input": name, "displacement": k, "options": o, "out": enc(TF.elastic_transform(inputs[name], disp, MODES[mode], fill))})
    for p in params:
        del p["_t"]
    more["elasticParams"] = params
    more["elasticCases"] = cases

    # LinearTransformation on small images (D = 12)
    g = torch.Generator().manual_seed(20261130)
    matrix, mean = torch.rand(12, 12, generator=g) - 0.5, torch.rand(12, generator=g)
    small, smallbatch = torch.rand(3, 2, 2, generator=g), torch.rand(2, 3, 2, 2, generator=g)
    lt = T.LinearTransformation(matrix, mean)
    more["linearCases"] = {"matrix": enc(matrix), "mean": enc(mean),
                           "cases": [{"input": enc(x), "out": enc(lt(x))} for x in (small, smallbatch)]}

    # AugMix: the op tables, then runs with their draws recorded
    def space(d):
        return {k: [[float(v) for v in m.reshape(-1).tolist()] if m.ndim > 0 else [], s] for k, (m, s) in d.items()}
    more["augMixSpaces"] = [
        {"bins": 10, "size": [8, 10], "allOps": True, "space": space(AA.AugMix()._augmentation_space(10, (8, 10)))},
        {"bins": 10, "size": [32, 24], "allOps": False, "space": space(AA.AugMix(all_ops=False)._augmentation_space(10, (32, 24)))},
        {"bins": 7, "size": [5, 9], "allOps": True, "space": space(AA.AugMix()._augmentation_space(7, (5, 9)))},
    ]
    orig_apply = AA._apply_op
    record = []
    base = [0]

    def float_apply(img, op_name, magnitude, interpolation, fill):
        record.append((op_name, magnitude, img.data_ptr() == base[0]))
        if op_name == "Posterize":
            return TF.posterize(u8(img), int(magnitude)).float() / 255
        if op_name == "Equalize":
            return TF.equalize(u8(img)).float() / 255
        if op_name == "Solarize":
            return TF.solarize(img, magnitude / 255)
        return orig_apply(img, op_name, magnitude, interpolation=interpolation, fill=fill)

    class RecordingAugMix(AA.AugMix):
        def _sample_dirichlet(self, params):
            out = super()._sample_dirichlet(params)
            self.draws.append(out.clone())
            return out

    AA._apply_op = float_apply
    augmix = []
    configs = [(name, seed, kw) for name, seeds, kw in [
        ("rgb", range(0, 4), {}),
        ("batch", range(4, 6), {"severity": 10, "mixture_width": 2, "chain_depth": 3, "alpha": 0.5, "all_ops": False,
                                "interpolation": "nearest", "fill": [0.2, 0.4, 0.6]}),
        ("grey", range(6, 8), {"severity": 6, "mixture_width": 4, "chain_depth": 1, "alpha": 2.0, "fill": 0.5}),
        ("rgb", range(8, 11), {"severity": 10, "chain_depth": 2, "interpolation": "nearest"}),
    ] for seed in seeds]
    names = {"severity": "severity", "mixture_width": "mixtureWidth", "chain_depth": "chainDepth", "alpha": "alpha",
             "all_ops": "allOps", "interpolation": "interpolation", "fill": "fill"}
    for name, seed, kw in configs:
        tv = dict(kw)
        if "interpolation" in tv:
            tv["interpolation"] = MODES[tv["interpolation"]]
        t = RecordingAugMix(**tv)
        t.draws = []
        record.clear()
        x = inputs[name]
        base[0] = x.data_ptr()
        torch.manual_seed(seed)
        out = t(x)
        chains = []
        for op_name, magnitude, first in record:
            if first:
                chains.append([])
            chains[-1].append([op_name, magnitude])
        augmix.append({"input": name, "options": {names[k]: v for k, v in kw.items()},
                       "weights": enc(t.draws[0])["data"], "mixing": enc(t.draws[1])["data"], "chains": chains, "out": enc(out)})
    AA._apply_op = orig_apply
    more["augMixCases"] = augmix

    # DistributedSampler without shuffling: the indices of every rank
    sampler = []
    for n in (0, 1, 2, 3, 5, 10, 11, 16):
        for replicas in (1, 2, 3, 4, 7):
            for drop in (False, True):
                ranks = [list(DistributedSampler(list(range(n)), num_replicas=replicas, rank=r, shuffle=False, drop_last=drop))
                         for r in range(replicas)]
                sampler.append({"n": n, "numReplicas": replicas, "dropLast": drop, "indices": ranks})
    more["distributedSampler"] = sampler
    return more


if __name__ == "__main__":
    main()
