"""Turn a Sample into its JSON record: build the inputs, call torch, take gradients, decide whether
finite differences are reliable, and estimate how tight float32 comparisons may be."""
import math

import numpy as np
import torch

from .spec import ADAPTERS, T, seed_of

DEFAULT_RTOL, DEFAULT_ATOL = 1e-5, 1e-6
PERTURB = 4 * 2.0 ** -23  # 4 float32 ulps, relative
SAFETY_F32, SAFETY_PERTURB = 10, 3
# (rtol, atol) pairs from tight to loose; a sample gets the first one its float32 error fits
TOL_LADDER = [(DEFAULT_RTOL, DEFAULT_ATOL), (1e-4, 1e-6), (1e-4, 1e-5), (1e-3, 1e-5),
              (1e-3, 1e-4), (1e-3, 1e-3), (1e-2, 1e-3), (1e-2, 1e-2)]


# ---- encoding ----

def dtype_name(t):
    if t.dtype == torch.bool:
        return "bool"
    if t.dtype == torch.float32:
        return "float32"
    if t.dtype == torch.float64:
        return "float64"
    if not t.is_floating_point() and not t.is_complex():
        return "int32"  # every integer result (indices, sums of ints) is int32 in Tensile
    raise ValueError(f"unsupported dtype {t.dtype}")


def _num(v, kind):
    if kind == "bool":
        return bool(v)
    if kind == "int32":
        return int(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    # float32: the shortest decimal that reads back as the same float32 (smaller, exact after fround)
    return float(repr(np.float32(v))) if kind == "float32" else float(v)


def enc_data(t):
    kind = dtype_name(t)
    flat = t.detach().contiguous().reshape(-1).tolist()
    return [_num(v, kind) for v in flat]


def enc_tensor(t, with_dtype=True):
    rec = {"shape": list(t.shape)}
    if with_dtype:
        rec["dtype"] = dtype_name(t)
    rec["data"] = enc_data(t)
    return rec


def enc_args(args, diff):
    if isinstance(args, T):
        rec = {"shape": list(args.base.shape), "dtype": dtype_name(args.base),
               "data": enc_data(args.base), "requiresGrad": args.requires_grad(diff)}
        if args.view:
            rec["view"] = args.view
        return {"$t": rec}
    if isinstance(args, (list, tuple)):
        return [enc_args(a, diff) for a in args]
    if isinstance(args, dict):
        return {k: enc_args(v, diff) for k, v in args.items()}
    if isinstance(args, float):
        assert math.isfinite(args), "non-finite scalar args cannot be written as JSON numbers"
    assert args is None or isinstance(args, (bool, int, float, str)), f"bad arg {args!r}"
    return args


# ---- building inputs ----

def parse_index(spec):
    """Tensile index spec (number | "a:b:c" | ":" | "..." | null) -> a torch indexing tuple."""
    out = []
    for s in spec:
        if s is None:
            out.append(None)
        elif s == "...":
            out.append(Ellipsis)
        elif isinstance(s, str):
            parts = [int(p) if p.strip() else None for p in s.split(":")]
            assert 2 <= len(parts) <= 3, f"bad slice {s!r}"
            out.append(slice(*parts))
        else:
            out.append(int(s))
    return tuple(out)


def apply_view(x, steps):
    for step in steps or []:
        kind = step[0]
        if kind == "transpose":
            x = x.transpose(step[1], step[2])
        elif kind == "permute":
            x = x.permute(*step[1])
        elif kind == "index":
            x = x[parse_index(step[1])]
        elif kind == "expand":
            x = x.expand(*step[1])
        else:
            raise ValueError(f"unknown view step {step}")
    return x


def jiggle(t, gen):
    """t * (1 + u * 4 * eps32), u uniform in [-1, 1): rounding-sized noise."""
    u = torch.rand(t.shape, generator=gen, dtype=torch.float64) * 2 - 1
    return t * (1 + u * PERTURB)


def materialize(args, diff, double=False, leaf_values=None, perturb=None):
    """Fresh torch values for the args (so in-place ops never touch the spec). Returns the values
    and the leaf tensors that require grad, in depth-first order of appearance. perturb: a
    torch.Generator that adds rounding-sized noise to the inputs that require grad (with
    double=True); those are the ones the op is smooth in."""
    leaves = []

    def build(a):
        if isinstance(a, T):
            base = a.base.clone()
            if double and base.is_floating_point():
                base = base.double()
                if perturb is not None and a.requires_grad(diff):
                    base = jiggle(base, perturb)  # only smooth inputs: not labels or masks
            if a.requires_grad(diff):
                if leaf_values is not None:
                    base = leaf_values[len(leaves)]
                else:
                    base.requires_grad_(True)
                leaves.append(base)
            return apply_view(base, a.view)
        if isinstance(a, (list, tuple)):
            return [build(x) for x in a]
        if isinstance(a, dict):
            return {k: build(v) for k, v in a.items()}
        return a

    return build(list(a for a in args)), leaves


def as_list(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


# ---- checks ----

def _projected_check(f, inputs, g):
    """The TS harness's check, mirrored: central differences (eps 1e-6) of sum(f * g) against
    autograd, |analytic - numeric| <= 1e-5 + 1e-4 |numeric| for every input element."""
    with torch.enable_grad():
        analytic = torch.autograd.grad(f(*inputs), inputs, g, allow_unused=True)
    eps = 1e-6
    with torch.no_grad():
        xs = [x.detach().clone() for x in inputs]
        for k, x in enumerate(xs):
            a = analytic[k] if analytic[k] is not None else torch.zeros_like(x)
            flat, aflat = x.view(-1), a.reshape(-1)
            for i in range(flat.numel()):
                v = float(flat[i])
                flat[i] = v + eps
                up = float((f(*xs) * g).sum())
                flat[i] = v - eps
                down = float((f(*xs) * g).sum())
                flat[i] = v
                numeric = (up - down) / (2 * eps)
                if not abs(float(aflat[i]) - numeric) <= 1e-5 + 1e-4 * abs(numeric):
                    return False
    return True


def _gradcheck(fn, s, diff, leaves64, grad_out64):
    """True when torch's float64 gradcheck passes both with a fine step (1e-6, as the TS harness
    uses, with its rtol 1e-4) and a coarse one (1e-3): a kink or tie within 1e-3 of an input makes
    the coarse one fail."""
    def f(*ls):
        vals, _ = materialize(s.args, diff, double=True, leaf_values=ls)
        return as_list(fn(*vals))[0]

    inputs = [l.detach().clone().requires_grad_(True) for l in leaves64]
    if not _projected_check(f, inputs, grad_out64):
        return False
    try:
        fine = torch.autograd.gradcheck(f, inputs, eps=1e-6, atol=1e-5, rtol=1e-4,
                                        raise_exception=False)
        coarse = torch.autograd.gradcheck(f, inputs, eps=1e-3, atol=1e-4, rtol=1e-2,
                                          raise_exception=False)
    except RuntimeError:
        return False
    return bool(fine and coarse)


def _needed_tol(pairs):
    """Tolerance for comparing float32 results against another implementation. pairs holds
    (result, float64 reference, safety factor): torch's float32 results (x10), and float64
    results from inputs carrying rounding-sized noise (x3), which exposes cancellation that a
    different summation order would turn into error. Returns None (defaults suffice) or
    (rtol, atol)."""
    diffs, refs = [], []
    for got, ref, factor in pairs:
        a = got.reshape(-1).double()
        b = ref.reshape(-1).float().double()  # rounded to float32: overflow to inf agrees
        ok = torch.isfinite(a) & torch.isfinite(b)
        diffs.append((a[ok] - b[ok]).abs() * factor)
        refs.append(b[ok].abs())
    if not diffs:
        return None
    d, r = torch.cat(diffs), torch.cat(refs)
    if d.numel() == 0:
        return None
    for rtol, atol in TOL_LADDER:
        if bool((d <= atol + rtol * r).all()):
            return None if (rtol, atol) == TOL_LADDER[0] else (rtol, atol)
    need = float((d - 1e-2 * r).max())
    return (1e-2, float(f"1e{math.ceil(math.log10(need))}"))


def _perturbed_pairs(fn, s, diff, outs64, grads64, grad_out):
    """Rerun in float64 with jiggled inputs; keep elements that moved smoothly (a jump means a
    discontinuity such as round() at .5 was crossed, which says nothing about rounding)."""
    pairs = []
    for k in (1, 2):
        gen = torch.Generator().manual_seed(seed_of(s.name) + k)
        vals, leaves = materialize(s.args, diff, double=True, perturb=gen)
        outs = as_list(fn(*vals))
        got = [o.detach() for o in outs]
        ref = [o.detach() for o in outs64]
        if grads64 is not None and outs[0].requires_grad:
            gs = torch.autograd.grad(outs[0], leaves, jiggle(grad_out.double(), gen),
                                     allow_unused=True)
            got += [g for g, h in zip(gs, grads64) if g is not None and h is not None]
            ref += [h for g, h in zip(gs, grads64) if g is not None and h is not None]
        for g, r in zip(got, ref):
            if not g.is_floating_point() or g.shape != r.shape:
                continue
            smooth = (g - r).abs() <= 1e-3 * (1 + r.abs())
            pairs.append((g[smooth], r[smooth], SAFETY_PERTURB))
    return pairs


def run(s, warn):
    try:
        return _run(s, warn)
    except Exception as e:
        raise RuntimeError(f"sample {s.name} failed: {e}") from e


def _run(s, warn):
    fn, diff = ADAPTERS[s.op]
    vals, leaves = materialize(s.args, diff)
    outs = as_list(fn(*vals))
    rec = {"name": s.name, "op": s.op, "args": enc_args(s.args, diff),
           "outputs": [enc_tensor(o) for o in outs]}
    if s.check_args_after:
        rec["checkArgsAfter"] = [{"arg": i, **enc_tensor(vals[i], with_dtype=False)}
                                 for i in s.check_args_after]

    grad_out, grads = None, []
    if leaves:
        o0 = outs[0]
        if o0.requires_grad:
            gen = torch.Generator().manual_seed(seed_of(s.name))
            grad_out = torch.randn(o0.shape, generator=gen, dtype=torch.float64).to(o0.dtype)
            grads = list(torch.autograd.grad(o0, leaves, grad_out, allow_unused=True))
        else:
            grads = [None] * len(leaves)
    rec["gradOutput"] = None if grad_out is None else enc_tensor(grad_out, with_dtype=False)
    rec["grads"] = [None if g is None else enc_tensor(g, with_dtype=False) for g in grads]

    # Float64 rerun: gradcheck, and the float32 rounding error that sets the tolerance.
    has32 = any(o.dtype == torch.float32 for o in outs)
    gc = False
    if grad_out is not None or has32:
        vals64, leaves64 = materialize(s.args, diff, double=True)
        outs64 = as_list(fn(*vals64))
        pairs = []
        for o, o64 in zip(outs, outs64):
            if o.dtype == torch.float32 and o64.dtype == torch.float64 and o.shape == o64.shape:
                pairs.append((o.detach(), o64.detach(), SAFETY_F32))
            elif not o.is_floating_point() and not torch.equal(o, o64.to(o.dtype)):
                warn(f"{s.name}: integer/bool output differs between float32 and float64 (near tie?)")
        g64 = None
        if grad_out is not None and outs64[0].requires_grad:
            g64 = torch.autograd.grad(outs64[0], leaves64, grad_out.double(), allow_unused=True,
                                      retain_graph=True)
            for g, h in zip(grads, g64):
                if g is not None and h is not None and g.dtype == torch.float32:
                    pairs.append((g, h, SAFETY_F32))
            gc = _gradcheck(fn, s, diff, leaves64, grad_out.double())
            if s.gradcheck is None and not gc:
                warn(f"{s.name}: gradcheck fails at these inputs (marked false)")
            if s.gradcheck is True and not gc:
                raise AssertionError(f"{s.name}: gradcheck requested but fails")
        if has32:
            pairs += _perturbed_pairs(fn, s, diff, outs64, g64, grad_out)
        tol = _needed_tol(pairs)
        if tol:
            rec["rtol"], rec["atol"] = tol
    if s.gradcheck is False:
        gc = False
    rec["gradcheck"] = gc if grad_out is not None else False
    if s.rtol is not None:
        rec["rtol"] = s.rtol
    if s.atol is not None:
        rec["atol"] = s.atol
    return rec
