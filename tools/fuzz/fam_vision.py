"""Fuzz case family "vision": torchvision 0.14's transforms.functional on tensors against Tensile's
`data.transforms.functional` (docs/data.md), and torchvision's uint8 kernels against Tensile's
transforms on int32 (0-255) images.

Images are float32/float64 in [0, 1] (multiples of 1/255 and arbitrary values), [C, H, W], [N, C, H, W]
or now and then [H, W], 1 or 3 channels, odd, even and size-1 sides, as strided views sometimes.
Every deterministic functional op is called with random arguments (the random transforms' drawn
parameters are these functional calls). Gradients come from the generic harness where the input has
`grad` (torch's tensor kernels are differentiable for the geometric and blend ops).

The call format (spec.run_case -> call_vision here; tools/fuzz/vision.mts on Tensile's side):
  call: {fn: "tv:NAME", args: [img, ...], kw: {...}}   NAME a torchvision.transforms.functional name;
        kw "interpolation" is a string (nearest/bilinear/bicubic); torch gets InterpolationMode.
  int32 inputs are uint8 images for torch (Tensile has no uint8: int32 holds 0-255).
  tr: true  -- Tensile runs the transform class (transforms.resize(...)(img) and so on, probability 1)
        on the int32 image, which goes through its float path; torch runs the functional op on uint8.
  q8: true  -- posterize/equalize on a float image: torch gets convert_image_dtype(img, uint8) and its
        result is converted back (/255), which is Tensile's documented float contract.
"""
import struct

import torch
import torchvision.transforms.functional as TF
from torchvision.transforms import InterpolationMode

from genlib import R, T, ch, make_input, numel, ri

IM = {"nearest": InterpolationMode.NEAREST, "bilinear": InterpolationMode.BILINEAR, "bicubic": InterpolationMode.BICUBIC}


def call_vision(call, vals):
    from spec import dec_arg
    name = call["fn"][3:]
    args = dec_arg(call["args"], vals)
    kw = dict(dec_arg(call.get("kw", {}), vals))
    if "interpolation" in kw:
        kw["interpolation"] = IM[kw["interpolation"]]
    args = [a.to(torch.uint8) if isinstance(a, torch.Tensor) and a.dtype == torch.int32 else a for a in args]
    dtype = args[0].dtype
    if call.get("q8"):
        args[0] = TF.convert_image_dtype(args[0], torch.uint8)
    if name == "convert_image_dtype":
        kw["dtype"] = {"float32": torch.float32, "float64": torch.float64, "int32": torch.uint8}[kw["dtype"]]
    if name == "erase":
        kw["inplace"] = False
    if name == "normalize":
        kw["inplace"] = False
    r = getattr(TF, name)(*args, **kw)
    outs = list(r) if isinstance(r, (list, tuple)) else [r]
    fix = []
    for o in outs:
        if call.get("q8"):
            o = TF.convert_image_dtype(o, dtype)
        if o.dtype == torch.uint8:
            o = o.to(torch.int32)
        fix.append(o)
    return fix if len(fix) > 1 else fix[0]


# ---------------------------------------------------------------- images

def side():
    return ch([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 16])


def img_shape(c=None, nd=None):
    c = c or ch([1, 3, 3])
    h, w = side(), side()
    nd = nd or ch([3, 3, 4, 4, 2])
    if nd == 2:
        return [h, w]
    return ([ri(1, 3)] if nd == 4 else []) + [c, h, w]


def f32(v):
    return struct.unpack("f", struct.pack("f", v))[0]


def pix(n, dt):
    """Pixel values, float32-exact (the replay checks that inputs are left unchanged bit for bit)."""
    out = []
    for _ in range(n):
        r = R.random()
        v = ri(0, 255) / 255 if r < 0.5 else (ch([0.0, 1.0]) if r < 0.6 else R.random())
        out.append(v if dt == "float64" else f32(v))
    return out


def image(shape, dt="float32", grad=False):
    if dt == "uint8":
        return {"shape": list(shape), "dtype": "int32", "data": [ri(0, 255) for _ in range(numel(shape))], "views": [], "grad": False}
    inp = make_input(shape, dt, grad=grad, view=ch(["contig", "contig", "contig", "slice", "narrow", "t"]))
    inp["data"] = pix(numel(inp["shape"]), dt)
    return inp


def case(inputs, name, args, kw=None, **extra):
    c = {"family": "vision", "inputs": inputs, "call": {"fn": "tv:" + name, "args": args, "kw": kw or {}, **extra}, "gnc": False}
    return c


def interp(modes=("nearest", "bilinear", "bicubic")):
    return ch(list(modes))


def fill(c):
    r = R.random()
    if r < 0.4:
        return None
    if r < 0.7:
        return ch([0.0, 1.0, 0.5, 0.25])
    return [round(R.random(), 3) for _ in range(c)] if c > 1 else [0.75]


def channels(shape):
    return 1 if len(shape) == 2 else shape[-3]


# ---------------------------------------------------------------- float functional ops

def gen_float():
    dt = ch(["float32", "float32", "float32", "float64"])
    op = ch(["resize", "resize", "resize", "center_crop", "crop", "pad", "pad", "resized_crop", "hflip", "vflip",
             "rotate", "rotate", "affine", "affine", "perspective", "gaussian_blur", "gaussian_blur",
             "adjust_brightness", "adjust_contrast", "adjust_saturation", "adjust_hue", "adjust_hue", "adjust_gamma",
             "adjust_sharpness", "rgb_to_grayscale", "invert", "posterize", "solarize", "autocontrast", "equalize",
             "normalize", "erase", "five_crop", "ten_crop", "elastic_transform", "convert_image_dtype"])
    color3 = op in ("adjust_saturation", "adjust_hue", "rgb_to_grayscale")
    shape = img_shape(c=ch([3, 3, 1]) if color3 else None,
                      nd=ch([3, 4]) if op not in ("resize", "crop", "center_crop", "pad", "hflip", "vflip", "rotate", "affine", "adjust_brightness", "adjust_gamma") else None)
    c = channels(shape)
    h, w = shape[-2], shape[-1]
    grad = R.random() < 0.4 and op not in ("posterize", "equalize", "convert_image_dtype", "solarize", "adjust_hue")
    ins = {"x": image(shape, dt, grad)}
    x = T("x")
    kw = {}
    if op == "resize":
        m = interp()
        size = ch([ri(1, 12), [ri(1, 12), ri(1, 12)], [ri(1, 12)]])
        kw = {"interpolation": m}
        if R.random() < 0.7:
            kw["antialias"] = R.random() < 0.6 if m != "nearest" else R.random() < 0.1
        if isinstance(size, int) and R.random() < 0.3:
            kw["max_size"] = size + ri(1, 6)
        return case(ins, op, [x, size], kw)
    if op == "center_crop":
        return case(ins, op, [x, ch([ri(1, max(h, w) + 3), [ri(1, h + 3), ri(1, w + 3)], [ri(1, 6)]])])
    if op == "crop":
        return case(ins, op, [x, ri(-2, h), ri(-2, w), ri(1, h + 2), ri(1, w + 2)])
    if op == "pad":
        mode = ch(["constant", "edge", "reflect", "symmetric"])
        p = ch([ri(0, 3), [ri(0, 3), ri(0, 3)], [ri(0, 3) for _ in range(4)]])
        f = ch([0.0, 0.5, 1.0]) if mode == "constant" else 0
        return case(ins, op, [x, p], {"fill": f, "padding_mode": mode})
    if op == "resized_crop":
        t, l = ri(0, h - 1), ri(0, w - 1)
        m = interp()
        kw = {"interpolation": m}
        if m != "nearest" and R.random() < 0.5:
            kw["antialias"] = R.random() < 0.5
        return case(ins, op, [x, t, l, ri(1, h - t), ri(1, w - l), ch([ri(1, 10), [ri(1, 10), ri(1, 10)]])], kw)
    if op in ("hflip", "vflip", "invert", "autocontrast"):
        return case(ins, op, [x])
    if op == "rotate":
        angle = ch([0, 90, -90, 180, 270, 45, 30.5, -17.25, round(R.uniform(-360, 360), 2)])
        kw = {"interpolation": interp(("nearest", "bilinear")), "expand": R.random() < 0.4}
        if R.random() < 0.3:
            kw["center"] = [ri(0, w), ri(0, h)]
        f = fill(c)
        if f is not None:
            kw["fill"] = f
        return case(ins, op, [x, angle], kw)
    if op == "affine":
        angle = ch([0, 90, 45, -30, round(R.uniform(-180, 180), 2)])
        tr = [ri(-3, 3), ri(-3, 3)] if R.random() < 0.7 else [round(R.uniform(-3, 3), 2), round(R.uniform(-3, 3), 2)]
        sc = ch([1.0, 0.5, 1.5, 0.8, round(R.uniform(0.3, 2), 3)])
        sh = ch([0.0, 10.0, -20.0, [15.0], [5.0, -10.0], [round(R.uniform(-30, 30), 2), round(R.uniform(-30, 30), 2)]])
        kw = {"interpolation": interp(("nearest", "bilinear"))}
        f = fill(c)
        if f is not None:
            kw["fill"] = f
        if R.random() < 0.3:
            kw["center"] = [ri(0, w), ri(0, h)]
        return case(ins, op, [x, angle, tr, sc, sh], kw)
    if op == "perspective":
        sp = [[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]]
        dx, dy = max(1, w // 3), max(1, h // 3)
        ep = [[sp[0][0] + ri(0, dx), sp[0][1] + ri(0, dy)], [sp[1][0] - ri(0, dx), sp[1][1] + ri(0, dy)],
              [sp[2][0] - ri(0, dx), sp[2][1] - ri(0, dy)], [sp[3][0] + ri(0, dx), sp[3][1] - ri(0, dy)]]
        kw = {"interpolation": interp(("nearest", "bilinear"))}
        f = fill(c)
        if f is not None:
            kw["fill"] = f
        return case(ins, op, [x, sp, ep], kw)
    if op == "gaussian_blur":
        k = ch([1, 3, 5, [3, 5], [1, 3], [5, 1]])
        kk = [k, k] if isinstance(k, int) else k
        if kk[0] // 2 >= w or kk[1] // 2 >= h:
            k = 1
        s = ch([None, 0.5, 1.0, 2.0, [0.3, 1.7], [1.1]])
        return case(ins, op, [x, k] + ([] if s is None else [s]))
    if op == "adjust_brightness":
        return case(ins, op, [x, ch([0.0, 0.5, 1.0, 1.7, round(R.uniform(0, 3), 3)])])
    if op in ("adjust_contrast", "adjust_saturation"):
        return case(ins, op, [x, ch([0.0, 0.5, 1.0, 1.7, round(R.uniform(0, 3), 3)])])
    if op == "adjust_hue":
        return case(ins, op, [x, ch([0.0, 0.5, -0.5, 0.25, round(R.uniform(-0.5, 0.5), 3)])])
    if op == "adjust_gamma":
        return case(ins, op, [x, ch([0.0, 0.5, 1.0, 2.2, round(R.uniform(0, 3), 3)])] + ([ch([0.5, 1.0, 1.3])] if R.random() < 0.5 else []))
    if op == "adjust_sharpness":
        return case(ins, op, [x, ch([0.0, 0.5, 1.0, 2.0, round(R.uniform(0, 3), 3)])])
    if op == "rgb_to_grayscale":
        return case(ins, op, [x], {"num_output_channels": ch([1, 3])})
    if op == "posterize":
        return case(ins, op, [x, ri(0, 8)], q8=True)
    if op == "equalize":
        return case(ins, op, [x], q8=True)
    if op == "solarize":
        return case(ins, op, [x, ch([0.0, 0.5, 1.0, ri(0, 255) / 255, round(R.random(), 4)])])
    if op == "normalize":
        mean = [round(R.uniform(-1, 1), 3) for _ in range(c)] if R.random() < 0.7 else [0.5]
        std = [round(R.uniform(0.1, 2), 3) for _ in range(c)] if R.random() < 0.7 else [0.25]
        return case(ins, op, [x, mean, std])
    if op == "erase":
        i, j = ri(0, h - 1), ri(0, w - 1)
        eh, ew = ri(0, h - i), ri(0, w - j)
        vshape = ch([[c, eh, ew], [c, 1, 1], [1]])
        ins["v"] = image(vshape, dt)
        return case(ins, op, [x, i, j, eh, ew, T("v")])
    if op in ("five_crop", "ten_crop"):
        size = ch([ri(1, min(h, w)), [ri(1, h), ri(1, w)]])
        return case(ins, op, [x, size] + ([R.random() < 0.5] if op == "ten_crop" else []))
    if op == "elastic_transform":
        ins["d"] = {"shape": [1, h, w, 2], "dtype": dt, "data": [ri(-64, 64) / 128 for _ in range(h * w * 2)],
                    "views": [], "grad": False}
        kw = {"interpolation": interp(("nearest", "bilinear"))}
        f = fill(c)
        if f is not None:
            kw["fill"] = f
        return case(ins, op, [x, T("d")], kw)
    if op == "convert_image_dtype":
        if R.random() < 0.4:
            ins = {"x": image(shape, "uint8")}
            return case(ins, op, [x], {"dtype": ch(["float32", "float64"])})
        return case(ins, op, [x], {"dtype": ch(["int32", "int32", "float64", "float32"])})
    raise ValueError(op)


# ---------------------------------------------------------------- uint8 images through the transforms

def gen_u8():
    op = ch(["resize", "resize", "center_crop", "pad", "rgb_to_grayscale", "gaussian_blur", "posterize", "equalize",
             "autocontrast", "invert", "adjust_sharpness", "hflip"])
    shape = img_shape(c=3 if op == "rgb_to_grayscale" else None, nd=3)
    h, w = shape[-2], shape[-1]
    ins = {"x": image(shape, "uint8")}
    x = T("x")
    if op == "resize":
        m = interp()
        kw = {"interpolation": m}
        if m != "nearest" and R.random() < 0.5:
            kw["antialias"] = True
        return case(ins, op, [x, ch([ri(1, 12), [ri(1, 12), ri(1, 12)]])], kw, tr=True)
    if op == "center_crop":
        return case(ins, op, [x, [ri(1, h + 2), ri(1, w + 2)]], tr=True)
    if op == "pad":
        mode = ch(["constant", "edge", "reflect", "symmetric"])
        return case(ins, op, [x, [ri(0, 2) for _ in range(4)]], {"fill": ch([0, 7, 255]) if mode == "constant" else 0, "padding_mode": mode}, tr=True)
    if op == "rgb_to_grayscale":
        return case(ins, op, [x], {"num_output_channels": 3}, tr=True)
    if op == "gaussian_blur":
        k = 3 if min(h, w) >= 2 else 1
        return case(ins, op, [x, k, [ch([0.5, 1.0, 1.5])] * 2], tr=True)
    if op == "posterize":
        return case(ins, op, [x, ri(0, 8)], tr=True)
    if op == "adjust_sharpness":
        return case(ins, op, [x, ch([0.0, 0.5, 2.0])], tr=True)
    return case(ins, op, [x], tr=True)


def gen_vision():
    return gen_u8() if R.random() < 0.15 else gen_float()


def repro_lines(call, js, py, camel):
    """The Tensile and torch lines repro.py prints for a "tv:" case (Tensile's exact call is in vision.mts)."""
    name = call["fn"][3:]
    a = [js(x) for x in call["args"]]
    kw = call.get("kw", {})
    okw = {camel(k): v for k, v in kw.items()}
    if call.get("tr"):
        ts = f"const r = data.transforms.<{name} transform>({', '.join(a[1:] + ([js(okw)] if okw else []))})({a[0]});  // vision.mts `transform`"
    else:
        ts = f"const r = data.transforms.functional.{camel(name)}({', '.join(a + ([js(okw)] if okw else []))});  // options as in vision.mts"
    targs = [py(x) for x in call["args"]] + [f"{k}={'InterpolationMode.' + v.upper() if k == 'interpolation' else py(v)}" for k, v in kw.items()]
    pre = "# int32 inputs are uint8 for torch: x = x.to(torch.uint8)\n"
    if call.get("q8"):
        targs[0] = f"TF.convert_image_dtype({targs[0]}, torch.uint8)"
    return ts, f"{pre}import torchvision.transforms.functional as TF\nr = TF.{name}({', '.join(targs)})"
