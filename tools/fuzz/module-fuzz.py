"""Random-sequence tester of the nn.Module API, torch side (tools/fuzz/README.md, "Modules").

    /usr/bin/python3 tools/fuzz/module-fuzz.py SEED COUNT OUT.json

From a seed, builds COUNT cases; each is a random tree of modules (Linear, Conv2d, BatchNorm1d,
ReLU, Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict and custom modules with
parameters, persistent and non-persistent buffers, None slots, tied parameters and shared
submodules) plus a random sequence of Module API operations. Each operation is run in torch 1.13
and what it returns (or the error it raises) is recorded with a snapshot of the tree (module,
parameter, buffer and state-dict names); tools/fuzz/module-fuzz.mts replays the cases through
Tensile and lists the differences. The case format is the JSON written here: {"cases": [{"id",
"tree", "ops": [{"op", ...args, "out"}]}]}. Values are deterministic (each tensor is filled with
`base + 0.125 * arange`), so nothing random is needed on the Tensile side.
"""
import copy
import json
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import torchfix.pin_cpu  # noqa: E402,F401  (one thread, as the other generators)
import torch
import torch.nn as nn

# ---- trees ----

NAMES = ["a", "b", "c", "w", "u", "blk", "head", "x0"]


def rand_shape(r):
    return [r.randint(1, 3) for _ in range(r.randint(0, 2))]


def rand_spec(r, depth):
    leaf = depth >= 3 or r.random() < 0.35
    if leaf:
        k = r.choice(["Linear", "Linear", "Conv2d", "BatchNorm1d", "ReLU", "PList", "PDict", "Custom"])
    else:
        k = r.choice(["Seq", "MList", "MDict", "Custom", "Custom"])
    if k == "Linear":
        return {"k": k, "a": [r.randint(1, 3), r.randint(1, 3), r.random() < 0.7]}
    if k == "Conv2d":
        return {"k": k, "a": [r.randint(1, 2), r.randint(1, 2), r.randint(1, 2), r.random() < 0.7]}
    if k == "BatchNorm1d":
        return {"k": k, "a": [r.randint(1, 3), r.random() < 0.7, r.random() < 0.7]}
    if k == "ReLU":
        return {"k": k}
    if k == "PList":
        return {"k": k, "s": [rand_shape(r) for _ in range(r.randint(0, 3))]}
    if k == "PDict":
        keys = r.sample(["p", "q", "z", "a1", "m"], r.randint(0, 3))
        return {"k": k, "s": [[key, rand_shape(r)] for key in keys]}
    if k in ("Seq", "MList"):
        return {"k": k, "c": [rand_spec(r, depth + 1) for _ in range(r.randint(0, 3))]}
    if k == "MDict":
        keys = r.sample(["enc", "dec", "k1", "zz", "aa"], r.randint(0, 3))
        return {"k": k, "c": [[key, rand_spec(r, depth + 1)] for key in keys]}
    members = []
    for name in r.sample(NAMES, r.randint(0, 4)):
        kind = r.choice(["p", "p", "b", "bn", "np", "nb", "c", "c"] if depth < 3 else ["p", "b", "bn", "np", "nb"])
        if kind == "p":
            members.append([name, "p", rand_shape(r)])
        elif kind in ("b", "bn"):
            members.append([name, "b", rand_shape(r), kind == "b"])
        elif kind in ("np", "nb"):
            members.append([name, kind])
        else:
            members.append([name, "c", rand_spec(r, depth + 1)])
    return {"k": "Custom", "m": members}


class Custom(nn.Module):
    pass


counter = [0]


def filled(shape, base):
    n = 1
    for s in shape:
        n *= s
    return (torch.arange(n, dtype=torch.float32) * 0.125 + base).reshape(shape)


def build(spec):
    """Builds a spec; every parameter and buffer gets `filled` values, numbered in build order."""
    k = spec["k"]

    def nxt():
        counter[0] += 1
        return float(counter[0])

    if k == "Linear":
        m = nn.Linear(*spec["a"][:2], bias=spec["a"][2])
    elif k == "Conv2d":
        m = nn.Conv2d(spec["a"][0], spec["a"][1], spec["a"][2], bias=spec["a"][3])
    elif k == "BatchNorm1d":
        m = nn.BatchNorm1d(spec["a"][0], affine=spec["a"][1], track_running_stats=spec["a"][2])
    elif k == "ReLU":
        m = nn.ReLU()
    elif k == "PList":
        return nn.ParameterList([nn.Parameter(filled(s, nxt())) for s in spec["s"]])
    elif k == "PDict":
        from collections import OrderedDict
        return nn.ParameterDict(OrderedDict((key, nn.Parameter(filled(s, nxt()))) for key, s in spec["s"]))
    elif k == "Seq":
        return nn.Sequential(*[build(c) for c in spec["c"]])
    elif k == "MList":
        return nn.ModuleList([build(c) for c in spec["c"]])
    elif k == "MDict":
        from collections import OrderedDict
        return nn.ModuleDict(OrderedDict((key, build(c)) for key, c in spec["c"]))
    else:
        m = Custom()
        for mem in spec["m"]:
            name, kind = mem[0], mem[1]
            if kind == "p":
                m.register_parameter(name, nn.Parameter(filled(mem[2], nxt())))
            elif kind == "b":
                m.register_buffer(name, filled(mem[2], nxt()), persistent=mem[3])
            elif kind == "np":
                m.register_parameter(name, None)
            elif kind == "nb":
                m.register_buffer(name, None)
            else:
                m.add_module(name, build(mem[2]))
        return m
    with torch.no_grad():
        for p in m.parameters(recurse=False):
            p.copy_(filled(list(p.shape), nxt()))
        for b in m.buffers(recurse=False):
            if b.dtype.is_floating_point:
                b.copy_(filled(list(b.shape), nxt()))
    return m


def build_root(spec):
    counter[0] = 0
    return build(spec)


# ---- observations ----

def tsum(t):
    return round(float(t.detach().double().sum()), 6)


def tdesc(t):
    if t is None:
        return None
    return [list(t.shape), str(t.dtype).replace("torch.", "").replace("int64", "int"), tsum(t)]


def idents(pairs):
    """Names with the index of the first name holding the same object (ties and sharing)."""
    first = {}
    out = []
    for i, (n, v) in enumerate(pairs):
        out.append(first.setdefault(id(v), i))
    return out


def snapshot(root):
    mods = list(root.named_modules())
    params = list(root.named_parameters())
    bufs = list(root.named_buffers())
    sd = root.state_dict(keep_vars=True)
    return {
        "modules": [[n, type(m).__name__, m.training] for n, m in mods],
        "params": [[n, tdesc(p), p.requires_grad] for n, p in params],
        "pids": idents(params),
        "buffers": [[n, tdesc(b)] for n, b in bufs],
        "sd": list(sd.keys()),
    }


def paths_of(root, pred):
    return [n for n, m in root.named_modules(remove_duplicate=False) if pred(m)]


# ---- operations ----

def gen_ops(r, root, nops):
    """Draws ops against the current tree (run as drawn, so paths stay valid) and returns them with results."""
    ops = []
    for _ in range(nops):
        op = draw(r, root)
        if op is None:
            continue
        try:
            out = run(root, op)
        except Exception as e:  # noqa: BLE001
            out = {"error": type(e).__name__, "msg": str(e)[:400]}
        op["out"] = out
        op["snap"] = snapshot(root)
        ops.append(op)
    return ops


def any_path(r, root, pred=lambda m: True):
    ps = paths_of(root, pred)
    return r.choice(ps) if ps else None


def rand_target(r, root, kind):
    names = [n for n, _ in (root.named_parameters() if kind == "p" else root.named_buffers() if kind == "b" else root.named_modules())]
    bad = ["nope", "a.nope", "0.0.0", ""]
    mods = [n for n, _ in root.named_modules() if n]
    if mods and r.random() < 0.3:
        bad.append(r.choice(mods) + ".zz")
    if names and r.random() < 0.7:
        return r.choice(names)
    if r.random() < 0.3 and mods:
        return r.choice(mods)
    return r.choice(bad)


def draw(r, root):
    kinds = ["named_modules", "named_parameters", "named_buffers", "named_children", "state_dict", "load",
             "load", "train", "requires_grad", "zero_grad", "apply", "to64", "get", "get", "register", "register",
             "tie", "share", "seq", "seq", "mlist", "mdict", "plist", "pdict", "repr", "deepcopy", "hooks",
             "backward_hooks", "delattr"]
    k = r.choice(kinds)
    if k in ("named_modules", "named_parameters", "named_buffers"):
        return {"op": k, "prefix": r.choice(["", "", "root"]), "recurse": r.random() < 0.8, "dedup": r.random() < 0.7}
    if k == "named_children":
        return {"op": k, "path": any_path(r, root)}
    if k == "state_dict":
        return {"op": k, "keep_vars": r.random() < 0.5}
    if k == "load":
        keys = list(root.state_dict().keys())
        muts = []
        for _ in range(r.randint(0, 3)):
            m = r.choice(["drop", "extra", "shape", "none"])
            if m == "drop" and keys:
                muts.append(["drop", r.choice(keys)])
            elif m == "extra":
                muts.append(["extra", r.choice(["zz", "a.zz", (r.choice(keys) + "x") if keys else "q", "0.weight"])])
            elif m == "shape" and keys:
                muts.append(["shape", r.choice(keys)])
        return {"op": k, "strict": r.random() < 0.5, "muts": muts}
    if k == "train":
        return {"op": k, "path": any_path(r, root), "mode": r.random() < 0.5}
    if k == "requires_grad":
        return {"op": k, "path": any_path(r, root), "flag": r.random() < 0.4}
    if k == "zero_grad":
        return {"op": k, "set_to_none": r.random() < 0.5, "path": any_path(r, root)}
    if k in ("apply", "to64", "repr", "deepcopy"):
        return {"op": k, "path": any_path(r, root)}
    if k == "get":
        kind = r.choice(["m", "p", "b"])
        return {"op": k, "kind": kind, "target": rand_target(r, root, kind)}
    if k == "register":
        path = any_path(r, root, lambda m: type(m) in (Custom, nn.Linear, nn.BatchNorm1d))
        if path is None:
            return None
        m = root.get_submodule(path)
        existing = [n for n, _ in m.named_parameters(recurse=False)] + [n for n, _ in m.named_buffers(recurse=False)] + [n for n, _ in m.named_children()]
        name = r.choice(["nw", "nw2", "", "a.b", "training", "forward", "weight"] + existing)
        kind = r.choice(["p", "b", "bn", "np", "nb", "c"])
        return {"op": k, "path": path, "name": name, "kind": kind, "shape": rand_shape(r)}
    if k == "tie":
        ps = [n for n, _ in root.named_parameters()]
        tgt = any_path(r, root, lambda m: type(m) in (Custom, nn.Linear))
        if not ps or tgt is None:
            return None
        m = root.get_submodule(tgt)
        names = [n for n, _ in m.named_parameters(recurse=False)] or ["tied"]
        return {"op": k, "src": r.choice(ps), "path": tgt, "name": r.choice(names + ["tied"])}
    if k == "share":
        src = any_path(r, root, lambda m: m is not root)
        tgt = any_path(r, root, lambda m: type(m) is Custom)
        if src is None or tgt is None or any(m is root.get_submodule(tgt) for m in root.get_submodule(src).modules()):
            return None  # no cycles
        return {"op": k, "src": src, "path": tgt, "name": r.choice(["sh", "sh2", "a"])}
    if k == "seq":
        path = any_path(r, root, lambda m: type(m) is nn.Sequential)
        if path is None:
            return None
        return {"op": k, "path": path, "act": r.choice(["index", "slice", "len", "append", "insert", "pop", "del", "add", "iter", "setitem", "extend"]),
                "i": r.randint(-4, 4), "j": r.choice([None, r.randint(-3, 4)]), "spec": rand_spec(r, 3)}
    if k == "mlist":
        path = any_path(r, root, lambda m: type(m) is nn.ModuleList)
        if path is None:
            return None
        return {"op": k, "path": path, "act": r.choice(["index", "len", "append", "insert", "pop", "del", "iter", "setitem", "extend", "slice"]),
                "i": r.randint(-4, 4), "j": r.choice([None, r.randint(-3, 4)]), "spec": rand_spec(r, 3)}
    if k == "mdict":
        path = any_path(r, root, lambda m: type(m) is nn.ModuleDict)
        if path is None:
            return None
        return {"op": k, "path": path, "act": r.choice(["keys", "items", "values", "update", "pop", "clear", "del", "set", "get", "len", "contains"]),
                "key": r.choice(["enc", "dec", "k1", "new", "zz"]), "spec": rand_spec(r, 3)}
    if k == "plist":
        path = any_path(r, root, lambda m: type(m) is nn.ParameterList)
        if path is None:
            return None
        return {"op": k, "path": path, "act": r.choice(["index", "len", "append", "extend", "setitem", "iter", "repr"]),
                "i": r.randint(-3, 3), "shape": rand_shape(r)}
    if k == "pdict":
        path = any_path(r, root, lambda m: type(m) is nn.ParameterDict)
        if path is None:
            return None
        return {"op": k, "path": path, "act": r.choice(["keys", "values", "set", "get", "pop", "clear", "update", "len", "contains", "del", "repr"]),
                "key": r.choice(["p", "q", "z", "new"]), "shape": rand_shape(r)}
    if k == "hooks":
        path = any_path(r, root, lambda m: type(m) is nn.Linear)
        if path is None:
            return None
        return {"op": k, "path": path, "pre": r.choice([None, "scale", "none"]), "post": r.choice([None, "add", "none"]),
                "pre2": r.random() < 0.4, "remove": r.choice([None, "pre", "post"])}
    if k == "backward_hooks":
        path = any_path(r, root, lambda m: type(m) is nn.Sequential and len(m) > 0 and all(type(c) in (nn.Linear, nn.ReLU) for c in m))
        if path is None or r.random() < 0.5:  # a new chain Linear(a, b), ReLU, Linear(b, c) added to the root as "bh"
            dims = [r.randint(1, 3) for _ in range(3)]
            return {"op": k, "path": None, "spec": {"k": "Seq", "c": [{"k": "Linear", "a": [dims[0], dims[1], r.random() < 0.7]}, {"k": "ReLU"},
                                                                     {"k": "Linear", "a": [dims[1], dims[2], True]}]}}
        return {"op": k, "path": path}
    if k == "delattr":
        path = any_path(r, root, lambda m: type(m) is Custom)
        if path is None:
            return None
        m = root.get_submodule(path)
        names = [n for n, _ in m.named_parameters(recurse=False)] + list(m._buffers.keys()) + [n for n, _ in m.named_children()]
        if not names:
            return None
        return {"op": k, "path": path, "name": r.choice(names)}
    return None


def fwd_input(seq):
    first = next(iter(seq))
    n = first.in_features if isinstance(first, nn.Linear) else 2
    return (torch.arange(2 * n, dtype=torch.float32) * 0.25 - 0.5).reshape(2, n)


def run(root, op):
    k = op["op"]
    if k in ("named_modules",):
        return [[n, type(m).__name__] for n, m in root.named_modules(prefix=op["prefix"], remove_duplicate=op["dedup"])]
    if k in ("named_parameters", "named_buffers"):
        f = root.named_parameters if k == "named_parameters" else root.named_buffers
        pairs = list(f(prefix=op["prefix"], recurse=op["recurse"])) if op["dedup"] else list(_nodedup(root, k, op))
        return [[n, tdesc(t)] for n, t in pairs]
    if k == "named_children":
        return [n for n, _ in root.get_submodule(op["path"]).named_children()]
    if k == "state_dict":
        sd = root.state_dict(keep_vars=op["keep_vars"])
        params = {id(p) for p in root.parameters()}
        return [[key, tdesc(v), isinstance(v, nn.Parameter), id(v) in params] for key, v in sd.items()]
    if k == "load":
        sd = {key: (v.detach() * 2 + 1) for key, v in root.state_dict().items()}
        for m, key in op["muts"]:
            if m == "drop":
                sd.pop(key, None)
            elif m == "extra":
                sd[key] = torch.ones(2)
            elif m == "shape" and key in sd:
                sd[key] = torch.ones(list(sd[key].shape) + [2])
        # Tensile copies nothing when loading fails (docs/nn.md), torch what it could: undo torch's partial copy
        before = {key: v.clone() for key, v in root.state_dict(keep_vars=True).items()}
        try:
            res = root.load_state_dict(sd, strict=op["strict"])
        except Exception:
            with torch.no_grad():
                for key, v in root.state_dict(keep_vars=True).items():
                    v.copy_(before[key])
            raise
        return {"missing": list(res.missing_keys), "unexpected": list(res.unexpected_keys)}
    if k == "train":
        root.get_submodule(op["path"]).train(op["mode"])
        return None
    if k == "requires_grad":
        root.get_submodule(op["path"]).requires_grad_(op["flag"])
        return None
    if k == "zero_grad":
        ps = [p for p in root.parameters() if p.requires_grad]
        if ps:
            sum((p * (i + 1)).sum() for i, p in enumerate(ps)).backward()
        root.get_submodule(op["path"]).zero_grad(set_to_none=op["set_to_none"])
        return [[n, None if p.grad is None else tsum(p.grad)] for n, p in root.named_parameters()]
    if k == "apply":
        seen = []
        root.get_submodule(op["path"]).apply(lambda m: seen.append(type(m).__name__))
        return seen
    if k == "to64":
        root.get_submodule(op["path"]).double()
        return None
    if k == "repr":
        return repr(root.get_submodule(op["path"]))
    if k == "deepcopy":
        m = root.get_submodule(op["path"])
        c = copy.deepcopy(m)
        orig = {id(p) for p in m.parameters()}
        cp = list(c.named_parameters())
        return {"snap": snapshot(c), "shared_with_orig": any(id(p) in orig for _, p in cp)}
    if k == "get":
        if op["kind"] == "m":
            return type(root.get_submodule(op["target"])).__name__
        if op["kind"] == "p":
            return tdesc(root.get_parameter(op["target"]))
        return tdesc(root.get_buffer(op["target"]))
    if k == "register":
        m = root.get_submodule(op["path"])
        name, kind = op["name"], op["kind"]
        if kind == "p":
            m.register_parameter(name, nn.Parameter(filled(op["shape"], 0.5)))
        elif kind in ("b", "bn"):
            m.register_buffer(name, filled(op["shape"], 0.25), persistent=kind == "b")
        elif kind == "np":
            m.register_parameter(name, None)
        elif kind == "nb":
            m.register_buffer(name, None)
        else:
            m.add_module(name, nn.ReLU())
        return None
    if k == "tie":
        p = root.get_parameter(op["src"])
        m = root.get_submodule(op["path"])
        if op["name"] in m._parameters:
            setattr(m, op["name"], p)
        else:
            m.register_parameter(op["name"], p)
        return None
    if k == "share":
        root.get_submodule(op["path"]).add_module(op["name"], root.get_submodule(op["src"]))
        return None
    if k == "delattr":
        delattr(root.get_submodule(op["path"]), op["name"])
        return None
    if k == "seq":
        s = root.get_submodule(op["path"])
        return seq_op(s, op)
    if k == "mlist":
        return seq_op(root.get_submodule(op["path"]), op)
    if k == "mdict":
        d = root.get_submodule(op["path"])
        a, key = op["act"], op["key"]
        if a in ("keys", "items"):
            return list(d.keys()) if a == "keys" else [[kk, type(v).__name__] for kk, v in d.items()]
        if a == "values":
            return [type(v).__name__ for v in d.values()]
        if a == "update":
            d.update({key: build(op["spec"])})
            return None
        if a == "pop":
            return type(d.pop(key)).__name__
        if a == "clear":
            d.clear()
            return None
        if a == "del":
            del d[key]
            return None
        if a == "set":
            d[key] = build(op["spec"])
            return None
        if a == "get":
            return type(d[key]).__name__
        return len(d) if a == "len" else key in d
    if k == "plist":
        pl = root.get_submodule(op["path"])
        a = op["act"]
        if a == "index":
            return tdesc(pl[op["i"]])
        if a in ("len", "append"):
            return len(pl) if a == "len" else pl.append(nn.Parameter(filled(op["shape"], 0.75))) and None
        if a == "extend":
            pl.extend([nn.Parameter(filled(op["shape"], 0.75)), nn.Parameter(filled(op["shape"], 1.75))])
            return None
        if a == "setitem":
            pl[op["i"]] = nn.Parameter(filled(op["shape"], 0.375))
            return None
        if a == "iter":
            return [tdesc(p) for p in pl]
        return repr(pl)
    if k == "pdict":
        pd = root.get_submodule(op["path"])
        a, key = op["act"], op["key"]
        if a in ("keys", "values"):
            return list(pd.keys()) if a == "keys" else [tdesc(v) for v in pd.values()]
        if a == "set":
            pd[key] = nn.Parameter(filled(op["shape"], 0.625))
            return None
        if a == "get":
            return tdesc(pd[key])
        if a == "pop":
            return tdesc(pd.pop(key))
        if a == "clear":
            pd.clear()
            return None
        if a == "update":
            from collections import OrderedDict
            pd.update(OrderedDict([(key, nn.Parameter(filled(op["shape"], 0.875))), ("zz", nn.Parameter(filled([2], 1.0)))]))
            return None
        if a in ("len", "contains"):
            return len(pd) if a == "len" else key in pd
        if a == "del":
            del pd[key]
            return None
        return repr(pd)
    if k == "hooks":
        lin = root.get_submodule(op["path"])
        calls = []
        hs = {}
        if op["pre"]:
            hs["pre"] = lin.register_forward_pre_hook(lambda m, args: calls.append("pre") or ((args[0] * 2,) if op["pre"] == "scale" else None))
        if op["pre2"]:
            lin.register_forward_pre_hook(lambda m, args: calls.append("pre2") or None)
        if op["post"]:
            hs["post"] = lin.register_forward_hook(lambda m, args, out: calls.append("post") or (out + 1 if op["post"] == "add" else None))
        if op["remove"] in hs:
            hs[op["remove"]].remove()
        x = (torch.arange(2 * lin.in_features, dtype=lin.weight.dtype) * 0.25 - 0.5).reshape(2, lin.in_features)
        y = lin(x)
        res = {"calls": calls, "y": tdesc(y)}
        lin._forward_pre_hooks.clear()
        lin._forward_hooks.clear()
        return res
    if k == "backward_hooks":
        if op["path"] is None:
            root.add_module("bh", build(op["spec"]))
        s = root.get_submodule(op["path"] or "bh")
        order = []
        hs = []
        for i, c in enumerate(s):
            hs.append(c.register_full_backward_hook(lambda m, gi, go, i=i: order.append([i, [None if g is None else tsum(g) for g in gi], [None if g is None else tsum(g) for g in go]]) or None))
        dt = next(iter(p.dtype for p in s.parameters()), torch.float32)
        x = fwd_input(s).to(dt).requires_grad_(True)
        try:
            s(x).sum().backward()
        finally:
            for h in hs:
                h.remove()
        return order
    raise ValueError(k)


def _nodedup(root, k, op):
    mods = root.named_modules(prefix=op["prefix"], remove_duplicate=False) if op["recurse"] else [(op["prefix"], root)]
    for mp, m in mods:
        d = m._parameters if k == "named_parameters" else m._buffers
        for n, v in d.items():
            if v is None:
                continue
            yield (mp + ("." if mp else "") + n, v)


def seq_op(s, op):
    a, i, j = op["act"], op["i"], op["j"]
    if a == "index":
        return type(s[i]).__name__
    if a == "slice":
        t = s[i:j]
        return [type(t).__name__, [[kk, type(v).__name__] for kk, v in t._modules.items()]]
    if a == "len":
        return len(s)
    if a == "append":
        s.append(build(op["spec"]))
        return None
    if a == "extend":
        s.extend([build(op["spec"]), nn.ReLU()])
        return None
    if a == "insert":
        s.insert(i, build(op["spec"]))
        return None
    if a == "pop":
        return type(s.pop(i)).__name__
    if a == "del":
        del s[i]
        return None
    if a == "setitem":
        s[i] = build(op["spec"])
        return None
    if a == "add":
        t = s + nn.Sequential(nn.ReLU())
        return [[kk, type(v).__name__] for kk, v in t._modules.items()]
    return [type(m).__name__ for m in s]


def main():
    seed, count, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    cases = []
    for c in range(count):
        r = random.Random(seed * 1000003 + c)
        spec = {"k": "Custom", "m": []}
        for name in r.sample(NAMES, r.randint(1, 4)):
            spec["m"].append([name, "c", rand_spec(r, 1)] if r.random() < 0.8 else [name, "p", rand_shape(r)])
        root = build_root(spec)
        cases.append({"id": f"mod-{seed}-{c}", "tree": spec, "ops": gen_ops(r, root, r.randint(3, 12))})
    with open(out, "w") as f:
        json.dump({"cases": cases}, f)
    print(f"{count} cases, {sum(len(c['ops']) for c in cases)} ops -> {out}")


if __name__ == "__main__":
    main()
