"""torch.fft (tools/gen-fft-fixtures.py writes these to fixtures/ops-fft.json).

Complex tensors travel in torch.view_as_real's layout (a trailing dim of 2), as Tensile has no
complex dtype: an adapter views such an input as complex (a real leaf with requires_grad, so torch's
gradient is the one of the real/imaginary parts) and returns view_as_real of a complex result."""
import torch

from .spec import Cases, T, f64, ints, op, rn, snake

DTYPES = {"float32": torch.float32, "float64": torch.float64}


def _split(args):
    """Tensile-form positional args and the trailing options object."""
    args = list(args)
    opts = args.pop() if args and isinstance(args[-1], dict) else {}
    while args and args[-1] is None:
        args.pop()
    return args, opts


def _in(x, opts, complex_default):
    if opts.get("complexInput", complex_default):
        return torch.view_as_complex(x.contiguous())
    return x


def _out(r):
    return torch.view_as_real(r.resolve_conj()) if r.is_complex() else r


def _one_d(fn, complex_default):
    def call(x, *args):
        pos, opts = _split(args)
        n, dim, norm = (pos + [None, -1, None][len(pos):])[:3]
        return _out(fn(_in(x, opts, complex_default), n=n, dim=-1 if dim is None else dim, norm=norm))
    return call


def _n_d(fn, complex_default):
    def call(x, *args):
        pos, opts = _split(args)
        s, dim, norm = (pos + [None, None, None][len(pos):])[:3]
        kw = {"norm": norm}
        if s is not None:
            kw["s"] = tuple(s)
        if dim is not None:
            kw["dim"] = tuple(dim) if isinstance(dim, (list, tuple)) else dim
        return _out(fn(_in(x, opts, complex_default), **kw))
    return call


def _freq(fn):
    def call(n, *args):
        pos, opts = _split(args)
        d = pos[0] if pos else 1.0
        return fn(n, d, dtype=DTYPES[opts.get("dtype", "float32")], requires_grad=opts.get("requiresGrad", False))
    return call


def _shift(fn):
    def call(x, *args):
        pos, opts = _split(args)
        dim = pos[0] if pos else None
        dim = tuple(dim) if isinstance(dim, list) else dim
        return _out(fn(_in(x, opts, False), dim=dim))
    return call


F = torch.fft
for _name, _complex in (("fft", False), ("ifft", False), ("rfft", False), ("irfft", True),
                        ("hfft", True), ("ihfft", False)):
    op(f"fft.{_name}")(_one_d(getattr(F, _name), _complex))
for _name, _complex in (("fft2", False), ("ifft2", False), ("rfft2", False), ("irfft2", True),
                        ("fftn", False), ("ifftn", False), ("rfftn", False), ("irfftn", True)):
    op(f"fft.{_name}")(_n_d(getattr(F, _name), _complex))
for _name, _complex in (("hfft2", True), ("ihfft2", False), ("hfftn", True), ("ihfftn", False)):
    op(f"fft.{_name}")(_n_d(getattr(F, _name), _complex))
op("fft.fftfreq", diff=False)(_freq(F.fftfreq))
op("fft.rfftfreq", diff=False)(_freq(F.rfftfreq))
op("fft.fftshift")(_shift(F.fftshift))
op("fft.ifftshift")(_shift(F.ifftshift))

STFT_KEYS = ["hopLength", "winLength", "window", "center", "padMode", "normalized", "onesided", "returnComplex"]
ISTFT_KEYS = ["hopLength", "winLength", "window", "center", "normalized", "onesided", "length", "returnComplex"]


def _named(args, keys):
    """Tensile's positional args (torch's order) merged with the trailing options, as torch keywords;
    None (torch's default) dropped."""
    pos, opts = _split(args)
    kw = dict(zip(keys, pos))
    kw.update(opts)
    return {k: v for k, v in kw.items() if v is not None}


@op("stft")
def _stft(x, n_fft, *args):
    """Tensile's stft: always torch's complex result in view_as_real layout (return_complex only
    selects torch's legacy real output, the same layout)."""
    kw = _named(args, STFT_KEYS)
    kw.pop("returnComplex", None)
    x = _in(x, {"complexInput": kw.pop("complexInput", False)}, False)
    return torch.view_as_real(torch.stft(x, n_fft, return_complex=True, **{snake(k): v for k, v in kw.items()}))


@op("istft")
def _istft(z, n_fft, *args):
    kw = _named(args, ISTFT_KEYS)
    return _out(torch.istft(torch.view_as_complex(z.contiguous()), n_fft, **{snake(k): v for k, v in kw.items()}))


CX = {"complexInput": True}


def cx(*shape, dtype=torch.float32):
    """A complex signal of `shape` in view_as_real layout."""
    return rn(*shape, 2, dtype=dtype)


def cases():
    for name in ("fft", "ifft"):
        c = Cases(f"fft.{name}")
        c("pow2", T(rn(8)))
        c("odd_bluestein", T(rn(7)))
        c("crop_n", T(rn(9)), 6)
        c("pad_n", T(rn(5)), 12)
        c("dim0_2d", T(rn(5, 3)), None, 0)
        c("neg_dim_3d", T(rn(2, 6, 3)), None, -2)
        c("norm_forward", T(rn(2, 6)), None, -1, "forward")
        c("norm_ortho_f64", T(rn(3, 10, dtype=torch.float64)), 7, 1, "ortho")
        c("int_input", T(ints(-5, 5, 6)))
        c("noncontig", T(rn(4, 3), view=[["transpose", 0, 1]]), None, 0)
        c("empty_batch", T(rn(0, 4)))
        c("complex", T(cx(6)), CX)
        c("complex_odd_dim0", T(cx(5, 3)), None, 0, CX)
        c("complex_n_ortho", T(cx(2, 11)), 16, -1, "ortho", CX)
        c("complex_noncontig", T(cx(4, 3), view=[["transpose", 0, 1]]), 3, 0, None, CX)
        c("complex_large_prime_f64", T(cx(2, 61, dtype=torch.float64)), None, -1, None, CX)
        c("length1", T(rn(3, 1)))

    c = Cases("fft.rfft")
    c("even", T(rn(8)))
    c("odd", T(rn(7)))
    c("crop_pad", T(rn(2, 5)), 9)
    c("crop", T(rn(2, 10)), 5, 1)
    c("dim0_forward", T(rn(6, 3)), None, 0, "forward")
    c("ortho_f64", T(rn(3, 12, dtype=torch.float64)), None, -1, "ortho")
    c("int_input", T(ints(-5, 5, 7)))
    c("noncontig", T(rn(5, 2), view=[["transpose", 0, 1]]))
    c("n1", T(rn(4)), 1)

    for name in ("irfft", "hfft"):
        c = Cases(f"fft.{name}")
        c("default_n", T(cx(5)))
        c("odd_n", T(cx(5)), 9)
        c("even_n_crop", T(cx(2, 7)), 6)
        c("pad_n", T(cx(3)), 11)
        c("dim0", T(cx(4, 3)), None, 0)
        c("forward", T(cx(2, 6)), None, -1, "forward")
        c("ortho_f64", T(cx(3, 9, dtype=torch.float64)), 10, 1, "ortho")
        c("noncontig", T(cx(3, 4), view=[["transpose", 0, 1]]), 5, 0)
        c("n1", T(cx(3)), 1)
        c("n2", T(cx(2)), 2)

    c = Cases("fft.ihfft")
    c("even", T(rn(8)))
    c("odd_crop", T(rn(2, 9)), 7)
    c("dim0_ortho", T(rn(6, 2)), None, 0, "ortho")
    c("forward_f64", T(rn(10, dtype=torch.float64)), 13, -1, "forward")

    for name in ("fft2", "ifft2", "fftn", "ifftn"):
        two = name.endswith("2")
        c = Cases(f"fft.{name}")
        c("plain", T(rn(4, 6) if two else rn(3, 4, 5)))
        c("s_crop_pad", T(rn(2, 5, 6)), [4, 7])
        c("dims_ortho", T(rn(3, 4, 2)), None, [0, 2], "ortho")
        c("neg_dims_forward", T(rn(3, 5, 2)), [4, -1], [-3, -1], "forward")
        c("f64", T(rn(5, 3, dtype=torch.float64)), None, [1, 0])
        c("int_input", T(ints(-3, 3, 3, 4)))
        c("noncontig", T(rn(4, 3, 2), view=[["transpose", 0, 2]]), None, [0, 1])
        c("complex", T(cx(3, 4)), CX)
        c("complex_s", T(cx(2, 3, 5)), [4, 3], None, None, CX)
        c("complex_dims", T(cx(3, 2, 4)), None, [2, 0], "ortho", CX)
        if not two:
            c("one_dim_int", T(rn(3, 6)), None, 0)
            c("s_only", T(rn(2, 3, 4)), [5])

    for name in ("rfft2", "rfftn"):
        two = name.endswith("2")
        c = Cases(f"fft.{name}")
        c("plain", T(rn(4, 6) if two else rn(3, 4, 5)))
        c("s", T(rn(2, 5, 6)), [4, 7])
        c("dims_ortho", T(rn(3, 5, 4)), None, [2, 0], "ortho")
        c("forward_f64", T(rn(4, 5, dtype=torch.float64)), None, [-2, -1], "forward")
        c("noncontig", T(rn(4, 3), view=[["transpose", 0, 1]]))
        c("int_input", T(ints(-3, 3, 3, 4)))

    for name in ("irfft2", "irfftn"):
        two = name.endswith("2")
        c = Cases(f"fft.{name}")
        c("plain", T(cx(4, 4) if two else cx(3, 4, 3)))
        c("s_odd", T(cx(2, 5, 4)), [4, 7])
        c("s_even_crop", T(cx(3, 6, 5)), [5, 6])
        c("dims_ortho", T(cx(3, 2, 5)), None, [2, 0], "ortho")
        c("forward_f64", T(cx(4, 3, dtype=torch.float64)), [4, 5], [-2, -1], "forward")
        c("noncontig", T(cx(3, 4), view=[["transpose", 0, 1]]), None, [0, 1])

    for name in ("fftfreq", "rfftfreq"):
        c = Cases(f"fft.{name}")
        c("even", 8)
        c("odd_d", 7, 0.3)
        c("f64", 10, 2.5, {"dtype": "float64"})
        c("opts_only", 5, {"dtype": "float64"})
        c("one", 1)
        c("zero", 0)

    for name in ("fftshift", "ifftshift"):
        c = Cases(f"fft.{name}")
        c("all", T(rn(5, 4)))
        c("dim", T(rn(5, 4)), 0)
        c("dims", T(rn(3, 4, 5)), [-1, 0])
        c("complex", T(cx(5, 3)), None, CX)
        c("complex_dim", T(cx(5, 3)), -1, CX)

    for name in ("hfft2", "hfftn"):
        two = name.endswith("2")
        c = Cases(f"fft.{name}")
        c("plain", T(cx(4, 4) if two else cx(3, 4, 3)))
        c("s_odd", T(cx(2, 5, 4)), [4, 7])
        c("s_even_crop", T(cx(3, 6, 5)), [5, 6])
        c("dims_ortho", T(cx(3, 2, 5)), None, [2, 0], "ortho")
        c("forward_f64", T(cx(4, 3, dtype=torch.float64)), [4, 5], [-2, -1], "forward")
        c("noncontig", T(cx(3, 4), view=[["transpose", 0, 1]]), None, [0, 1])
        if not two:
            c("one_dim", T(cx(3, 5)), None, [0])
            c("s_only", T(cx(2, 3, 4)), [5])

    for name in ("ihfft2", "ihfftn"):
        two = name.endswith("2")
        c = Cases(f"fft.{name}")
        c("plain", T(rn(4, 6) if two else rn(3, 4, 5)))
        c("s", T(rn(2, 5, 6)), [4, 7])
        c("dims_ortho", T(rn(3, 5, 4)), None, [2, 0], "ortho")
        c("forward_f64", T(rn(4, 5, dtype=torch.float64)), None, [-2, -1], "forward")
        c("noncontig", T(rn(4, 3), view=[["transpose", 0, 1]]))
        c("int_input", T(ints(-3, 3, 3, 4)))
        if not two:
            c("one_dim", T(rn(3, 5)), None, [0])

    hann, hamming = torch.hann_window, torch.hamming_window
    c = Cases("stft")
    c("rect_even_defaults", T(rn(20)), 8)
    c("odd_nfft_hann", T(rn(23)), 7, {"window": T(hann(7))})
    c("positional_hop_winlength", T(rn(30)), 10, 3, 6, T(hann(6)))
    c("win_shorter_default_window", T(rn(20)), 8, {"winLength": 5, "hopLength": 3})
    c("no_center_hamming", T(rn(25)), 8, {"hopLength": 3, "center": False, "window": T(hamming(8))})
    c("no_center_one_frame", T(rn(9)), 9, {"center": False})
    for mode in ("constant", "replicate", "circular"):
        c(f"pad_{mode}_batched", T(rn(2, 18)), 6, {"hopLength": 2, "padMode": mode})
    c("pad_reflect_odd_hop", T(rn(2, 17)), 9, {"hopLength": 4, "padMode": "reflect", "window": T(hann(9))})
    c("normalized", T(rn(16)), 8, {"normalized": True, "window": T(hann(8))})
    c("twosided_batched", T(rn(2, 15)), 6, {"onesided": False, "hopLength": 4})
    c("twosided_odd_normalized", T(rn(19)), 5, {"onesided": False, "normalized": True, "hopLength": 2, "window": T(hamming(5))})
    c("batched_f64", T(rn(3, 40, dtype=torch.float64)), 16, {"hopLength": 5, "window": T(hann(16, dtype=torch.float64))})
    c("return_complex_false", T(rn(12)), 4, {"returnComplex": False})
    c("return_complex_true", T(rn(12)), 4, None, None, None, False, "reflect", False, None, True)
    c("noncontig", T(rn(12, 2), view=[["transpose", 0, 1]]), 4, {"hopLength": 3})
    c("complex_input", T(cx(14)), 6, {"complexInput": True, "hopLength": 2, "window": T(hann(6))})
    c("complex_batched_no_center", T(cx(2, 16)), 8, {"complexInput": True, "center": False, "hopLength": 3})
    c("complex_reflect_winlength", T(cx(13)), 6, {"complexInput": True, "winLength": 4, "window": T(hamming(4)), "hopLength": 2})

    c = Cases("istft")
    c("rect_defaults", T(cx(5, 11)), 8)
    c("hann_hop4", T(cx(9, 7)), 16, {"hopLength": 4, "window": T(hann(16))})
    c("odd_nfft", T(cx(4, 9)), 7, {"hopLength": 2, "window": T(hann(7))})
    c("length_trim", T(cx(5, 11)), 8, {"length": 15})
    c("length_pad", T(cx(5, 11)), 8, {"length": 30})
    c("no_center_hamming", T(cx(5, 8)), 8, {"hopLength": 3, "center": False, "window": T(hamming(8))})
    c("no_center_length", T(cx(5, 6)), 8, {"hopLength": 2, "center": False, "length": 12})
    c("positional_winlength", T(cx(6, 9)), 10, 3, 6, T(hamming(6)))
    c("normalized_batched", T(cx(2, 5, 9)), 8, {"normalized": True, "window": T(hann(8))})
    c("twosided", T(cx(8, 9)), 8, {"onesided": False, "window": T(hann(8))})
    c("twosided_odd_batched", T(cx(2, 5, 10)), 5, {"hopLength": 2, "window": T(hamming(5))})
    c("return_complex", T(cx(2, 8, 9)), 8, {"onesided": False, "returnComplex": True, "window": T(hann(8))})
    c("return_complex_no_center", T(cx(6, 7)), 6, {"onesided": False, "returnComplex": True, "center": False, "hopLength": 2, "window": T(hamming(6))})
    c("onesided_explicit_f64", T(cx(5, 11, dtype=torch.float64)), 8, {"onesided": True, "hopLength": 2, "window": T(hann(8, dtype=torch.float64))})
    c("batched_length", T(cx(3, 9, 6)), 16, {"hopLength": 4, "window": T(hann(16)), "length": 25})
    c("noncontig", T(cx(11, 5), view=[["transpose", 0, 1]]), 8, {"hopLength": 2})
