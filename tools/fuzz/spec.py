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
  fn "linalg.name" / "fft.name" / "nn.utils.rnn.name": dotted names under torch / Tensile's namespaces.
  fn "mod:LSTM": a module call: nn.LSTM(*ctor, **ctor_kw) (made float64 when `mdtype` is), its
          parameters set from the inputs `params` names ({param: input}; such inputs have "pgrad"
          and their gradient is the parameter's), then called on args/kw; `pack` ({lengths,
          batch_first, enforce_sorted}) packs the first argument with pack_padded_sequence and
          unpacks the first output with pad_packed_sequence; `eval` puts the module in eval mode,
          `repeat` calls it that many times (the last result counts), `bufs` names buffers
          (running_mean, running_var, num_batches_tracked) appended to the outputs after the call.
  fn "getitem": x[items] with args [x, items]: items a list of ints, slice strings ("1:3", "::2"),
          null (None), tensors; Tensile's replay gets `x.index(items)` (give it as `ts`).
  {"$null": true}: an explicit None / null (a bare JSON null is "not given" in Tensile's options).
  view ["log_softmax", dim]: F.log_softmax (ctc_loss's log-probabilities); not a view, but a step of
          the input's chain all the same.
  view "complex": torch.view_as_complex of the (contiguous) value, nothing in Tensile, whose
          complex values are real tensors with a trailing dim of 2; complex outputs are encoded
          with torch.view_as_real.
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
        elif k == "log_softmax":
            t = F.log_softmax(t, v[1])
        elif k == "complex":
            c = torch.empty(t.shape, dtype=t.dtype)  # standard strides (contiguous() keeps odd size-1 strides)
            t = torch.view_as_complex(c.copy_(t) if c.numel() else c)
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


def _getitem(x, items):
    def sl(it):
        if it == "...":
            return Ellipsis
        if isinstance(it, str) and ":" in it:
            return slice(*[int(p) if p.strip() else None for p in it.split(":")])
        return it
    return x[tuple(sl(it) for it in items)]


def resolve(fn, args):
    if fn == "getitem":
        return _getitem, args
    if "." in fn and fn.split(".")[0] in ("linalg", "fft", "nn", "special"):
        obj = torch
        for part in fn.split("."):
            obj = getattr(obj, part)
        return obj, args
    if fn.startswith("F."):
        return getattr(F, fn[2:]), args
    if fn.startswith("m."):
        return getattr(args[0], fn[2:]), args[1:]
    return getattr(torch, fn), args


def dec_arg(a, vals):
    if isinstance(a, dict):
        if "$null" in a:
            return None
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


def call_module(call, vals):
    """A "mod:NAME" call (see the docstring): returns (result, {input name: parameter})."""
    m = getattr(torch.nn, call["fn"][4:])(*call.get("ctor", []), **dec_arg(call.get("ctor_kw", {}), {}))
    if call.get("mdtype") == "float64":
        m = m.double()
    pmap = {}
    with torch.no_grad():
        for pname, iname in call.get("params", {}).items():
            p = m.get_parameter(pname)
            p.copy_(vals[iname])
            pmap[iname] = p
    if call.get("eval"):
        m.eval()
    args = dec_arg(call["args"], vals)
    kw = dec_arg(call.get("kw", {}), vals)
    pk = call.get("pack")
    if pk:
        args[0] = torch.nn.utils.rnn.pack_padded_sequence(args[0], torch.tensor(pk["lengths"]), batch_first=pk["batch_first"],
                                                          enforce_sorted=pk["enforce_sorted"])
    for _ in range(call.get("repeat", 1) - 1):
        m(*args, **kw)
    r = m(*args, **kw)
    if call.get("bufs"):
        r = (tuple(r) if isinstance(r, (tuple, list)) else (r,)) + tuple(m.get_buffer(b).clone() for b in call["bufs"])
    if pk:
        padded, lens = torch.nn.utils.rnn.pad_packed_sequence(r[0], batch_first=pk["batch_first"])
        r = (padded, lens) + tuple(r[1:])
    return r, pmap


def real_view(o):
    return torch.view_as_real(o.resolve_conj()) if isinstance(o, torch.Tensor) and o.is_complex() else o


def run_case(case):
    """Runs `case` through torch, filling `out`/`error` and `grads`."""
    torch.manual_seed(0)
    pmap = {}
    try:
        leaves, vals, bases = build_inputs(case)
        call = case["call"]
        if call["fn"].startswith("mod:"):
            r, pmap = call_module(call, vals)
        elif call["fn"].startswith("dist:"):  # torch.distributions (fam_dist.py)
            from dist_spec import call_dist
            r = call_dist(call, vals)
        elif call["fn"] == "grad2:":  # second-order gradients (fam_grad2.py): outputs come back detached
            from fam_grad2 import call_grad2
            r = call_grad2(call, vals)
        elif call["fn"] == "func:":  # torch.func transforms via functorch 1.13 (fam_func.py)
            from fam_func import call_func
            r = call_func(call, vals)
        elif call["fn"].startswith("tv:"):  # torchvision.transforms.functional (fam_vision.py)
            from fam_vision import call_vision
            r = call_vision(call, vals)
        else:
            fn, args = resolve(call["fn"], dec_arg(call["args"], vals))
            kw = dec_arg(call.get("kw", {}), vals)
            r = fn(*args, **kw)
        outs = [real_view(o) for o in flat_outputs(r)]
        if outs[0].numel() == 0:
            pass
        elif case.get("signfix") == "eigh":  # Tensile's rule: each vector's largest-magnitude entry positive
            V = outs[1]
            outs[1] = V * V.gather(-2, V.abs().argmax(-2, keepdim=True)).sign()
        elif case.get("signfix") == "svd":  # the same on U's columns, Vh's rows flipped with them
            U, Vh = outs[0], outs[2]
            sg = U.gather(-2, U.abs().argmax(-2, keepdim=True)).sign()
            outs[0], outs[2] = U * sg, Vh * sg.transpose(-2, -1)
        for n in case.get("after", []):
            outs.append(bases[n[1:]] if n.startswith("^") else vals[n])
        case["out"] = [enc(o) for o in outs]
    except Exception as e:  # noqa: BLE001 - any torch error is an expected error for Tensile
        case["error"] = f"{type(e).__name__}: {str(e)[:300]}"
        return case
    if leaves or pmap:
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
                case["grads"] = {n: enc(t.grad) for n, t in list(leaves.items()) + list(pmap.items())}
            except Exception as e:  # noqa: BLE001
                case["grad_error"] = f"{type(e).__name__}: {str(e)[:300]}"
    return case
