"""Differential fuzzing of Tensile against PyTorch: the case format and its torch interpreter.

A case is plain JSON, read the same way here and by tools/fuzz/replay.mts:
  inputs: {name: {shape, dtype, data, views, grad}}  -- a contiguous base tensor (the autograd leaf
          when grad) and a chain of view ops applied to it: ["transpose", d0, d1], ["permute", dims],
          ["index", "spec"], ["narrow", d, start, len], ["expand", shape], ["unfold", d, size, step],
          ["select", d, i], ["unsqueeze", d], ["diagonal", off, d1, d2]
          dtype "index" is int64 in torch and int32 in Tensile.
  call:   {fn, args, kw}  -- fn "name" (torch.name / tensile name), "F.name" (torch.nn.functional /
          tensile F), "m.name" (a method of the first argument); args: JSON values, {"$t": name} a
          tensor, {"$ts": [names]} a list of tensors; kw: torch keywords, passed to Tensile as one
          trailing options object with camelCase keys.  Snake-case names become camelCase in Tensile.
  ts:     optional override of call for Tensile (same format) when the signatures differ.
  after:  names of inputs whose (viewed) value is also an output after the call (in-place ops).
  gnc:    backward through the single float output with a non-contiguous (permuted) gradient.
The torch side fills in `out` (list of encoded results) or `error`, and `grads` ({name: enc|None}).
"""
import math

import torch
import torch.nn.functional as F

INF = float("inf")


def num(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def dec(v):
    if v == "nan":
        return float("nan")
    if v == "inf":
        return INF
    if v == "-inf":
        return -INF
    return v


TDT = {"float32": torch.float32, "float64": torch.float64, "int32": torch.int32, "bool": torch.bool, "index": torch.int64}


def enc(t):
    if isinstance(t, torch.Tensor):
        t = t.detach()
        dt = {torch.float32: "float32", torch.float64: "float64", torch.int32: "int32", torch.int64: "int32",
              torch.bool: "bool"}.get(t.dtype, str(t.dtype))
        flat = t.reshape(-1)
        if t.dtype == torch.bool:
            data = [bool(v) for v in flat.tolist()]
        elif t.dtype.is_floating_point:
            data = [num(float(v)) for v in flat.tolist()]
        else:
            data = [int(v) for v in flat.tolist()]
        return {"shape": list(t.shape), "dtype": dt, "data": data, "tdtype": str(t.dtype)}
    if isinstance(t, (bool, int, float)):
        return {"scalar": num(t) if not isinstance(t, bool) else t}
    if t is None:
        return None
    raise TypeError(f"cannot encode {type(t)}")


def apply_views(t, views):
    for v in views:
        k = v[0]
        if k == "transpose":
            t = t.transpose(v[1], v[2])
        elif k == "permute":
            t = t.permute(*v[1])
        elif k == "index":
            t = eval(f"t[{v[1]}]", {"t": t, "None": None})
        elif k == "narrow":
            t = t.narrow(v[1], v[2], v[3])
        elif k == "expand":
            t = t.expand(*v[1])
        elif k == "unfold":
            t = t.unfold(v[1], v[2], v[3])
        elif k == "select":
            t = t.select(v[1], v[2])
        elif k == "unsqueeze":
            t = t.unsqueeze(v[1])
        elif k == "diagonal":
            t = t.diagonal(v[1], v[2], v[3])
        else:
            raise ValueError(k)
    return t


def build_inputs(case):
    leaves, vals, bases = {}, {}, {}
    for name, s in case["inputs"].items():
        base = torch.tensor([dec(x) for x in s["data"]], dtype=TDT[s["dtype"]]).reshape(s["shape"])
        if s.get("grad"):
            base.requires_grad_(True)
            leaves[name] = base
        vals[name] = apply_views(base, s.get("views", []))
        bases[name] = base
    return leaves, vals, bases


def resolve(fn, args):
    if fn.startswith("F."):
        return getattr(F, fn[2:]), args
    if fn.startswith("m."):
        return getattr(args[0], fn[2:]), args[1:]
    return getattr(torch, fn), args


def dec_arg(a, vals):
    if isinstance(a, dict):
        if "$t" in a:
            return vals[a["$t"]]
        if "$ts" in a:
            return [vals[n] for n in a["$ts"]]
        return {k: dec_arg(v, vals) for k, v in a.items()}
    if isinstance(a, list):
        return [dec_arg(x, vals) for x in a]
    if isinstance(a, str):
        return dec(a) if a in ("nan", "inf", "-inf") else a
    return a


def tuple_args(a):
    """JSON lists in kwargs/args that torch wants as tuples stay lists: torch accepts both."""
    return a


def grad_weights(shape, permuted):
    """The output gradient both sides build: values ((k*7) % 11 - 5) / 4 over a contiguous tensor of
    the reversed shape, permuted back (non-contiguous) when `permuted`, else of the shape itself."""
    n = 1
    for d in shape:
        n *= d
    vals = [((k * 7) % 11 - 5) / 4 for k in range(n)]
    if permuted and len(shape) >= 2:
        return torch.tensor(vals).reshape(list(reversed(shape))).permute(*reversed(range(len(shape))))
    return torch.tensor(vals).reshape(shape)


def flat_outputs(r):
    if isinstance(r, (tuple, list)):
        out = []
        for x in r:
            out.extend(flat_outputs(x))
        return out
    return [r]


def run_case(case):
    """Runs `case` through torch, filling `out`/`error` and `grads`."""
    torch.manual_seed(0)
    try:
        leaves, vals, bases = build_inputs(case)
        call = case["call"]
        fn, args = resolve(call["fn"], dec_arg(call["args"], vals))
        kw = dec_arg(call.get("kw", {}), vals)
        r = fn(*args, **kw)
        outs = flat_outputs(r)
        for n in case.get("after", []):
            outs.append(bases[n[1:]] if n.startswith("^") else vals[n])
        case["out"] = [enc(o) for o in outs]
    except Exception as e:  # noqa: BLE001 - any torch error is an expected error for Tensile
        case["error"] = f"{type(e).__name__}: {str(e)[:300]}"
        return case
    if leaves:
        fouts = [o for o in outs[: len(outs) - len(case.get("after", []))]
                 if isinstance(o, torch.Tensor) and o.requires_grad and o.dtype.is_floating_point]
        if fouts:
            try:
                if len(fouts) == 1:
                    # torch gets the same values contiguous: some of torch 1.13's backward kernels
                    # (gelu's) read a permuted gradient wrongly; Tensile gets the permuted view
                    g = grad_weights(list(fouts[0].shape), case.get("gnc", False)).to(fouts[0].dtype).contiguous()
                    fouts[0].backward(g)
                else:
                    loss = sum((o * grad_weights(list(o.shape), False).to(o.dtype)).sum() for o in fouts)
                    loss.backward()
                case["grads"] = {n: enc(t.grad) for n, t in leaves.items()}
            except Exception as e:  # noqa: BLE001
                case["grad_error"] = f"{type(e).__name__}: {str(e)[:300]}"
    return case
