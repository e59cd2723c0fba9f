"""Fuzz case family "fft": torch.fft (fft, ifft, rfft, irfft, hfft, ihfft, fft2, ifft2, fftn, ifftn,
rfft2, rfftn, irfft2, irfftn, fftshift, ifftshift) with n / s / dim / norm, real and complex inputs,
on strided views, values and gradients. Complex tensors are real ones with a trailing dim of 2
(torch.view_as_real's layout, Tensile's representation): complex inputs get the "complex" view on
the torch side (spec.py) and `complexInput: true` where Tensile's fft reads a real signal otherwise."""
from genlib import R, T, case, ch, fdt, make_input, ri, rshape  # noqa: F401


def norm():
    return ch([None, None, "forward", "backward", "ortho"])


def cinput(shape, dt):
    x = make_input(list(shape) + [2], dt, True)
    x["views"] = (x["views"] or []) + [["complex"]]
    return x


def gen_fft():
    dt = fdt()
    nd = ri(1, 3)
    s = rshape(nd, lo=1, hi=5, zero=0.03)
    d = ri(-nd, nd - 1)
    k = ch(["fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft_c", "ifft_c", "fft2", "ifft2", "fftn", "ifftn", "rfft2",
            "rfftn", "irfft2", "irfftn", "fftn_c", "fftshift", "ifftshift"])
    n = ch([None, None, ri(1, 6)])
    nm = norm()
    if k in ("fft", "ifft", "rfft", "ihfft"):
        ins = {"x": make_input(s, dt, True, kind=ch(["normal"] * 9 + ["special"]))}
        return case("fft", ins, "fft." + k, [T("x"), n, d, nm])
    if k in ("fft_c", "ifft_c", "irfft", "hfft"):
        ins = {"x": cinput(s, dt)}
        fn = "fft." + k.replace("_c", "")
        c = case("fft", ins, fn, [T("x"), n, d, nm])
        if k.endswith("_c"):
            c["ts"] = {"fn": fn, "args": [T("x"), n, d, nm, {"complex_input": True}], "kw": {}}
        return c
    if nd < 2 and k in ("fft2", "ifft2", "rfft2", "irfft2"):
        s = s + [ri(1, 4)]
        nd = 2
    dims = ch([None, sorted(R.sample(range(nd), ri(1, nd))), [-1], [0, -1]]) if k not in ("fft2", "ifft2", "rfft2", "irfft2") else ch([None, [0, 1], [-1, -2]])
    if dims is not None and len({x % nd for x in dims}) != len(dims):
        dims = None
    nsd = len(dims) if dims is not None else (2 if k.endswith("2") else nd)
    sz = ch([None, None, [ri(1, 5) for _ in range(nsd)]])
    if sz is not None and dims is None and not k.endswith("2"):
        dims = list(range(nd - nsd, nd))
    if dims is None and k.endswith("2"):
        dims = [-2, -1]  # torch's fft2 family takes no None dim
    if k in ("fftshift", "ifftshift"):
        ins = {"x": make_input(s, dt, True)}
        return case("fft", ins, "fft." + k, [T("x"), dims])
    if k in ("irfft2", "irfftn", "fftn_c"):
        ins = {"x": cinput(s, dt)}
        fn = "fft." + k.replace("_c", "")
        c = case("fft", ins, fn, [T("x"), sz, dims, nm])
        if k == "fftn_c":
            c["ts"] = {"fn": fn, "args": [T("x"), sz, dims, nm, {"complex_input": True}], "kw": {}}
        return c
    ins = {"x": make_input(s, dt, True)}
    return case("fft", ins, "fft." + k, [T("x"), sz, dims, nm])
