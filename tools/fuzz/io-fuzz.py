#!/usr/bin/python3
"""PyTorch side of the file-format fuzzer (tools/fuzz/io-fuzz.mts drives it; see tools/fuzz/README.md).

  /usr/bin/python3 tools/fuzz/io-fuzz.py gen SEED COUNT DIR
      writes COUNT random torch.save files (pt-*.pt) and COUNT safetensors files written here by
      hand per the spec (st-*.safetensors), plus a few hand-made hostile files (bad-*), and
      DIR/cases.json: for each file what Tensile must load (described as below) or the error
      text it must throw.
  /usr/bin/python3 tools/fuzz/io-fuzz.py check DIR
      reads DIR/written.json (files Tensile wrote, with its description of what it wrote), loads
      each with torch.load (weights_only=False and True) or by hand (safetensors: header length,
      JSON, 8-byte padding, tiling offsets, dtype order), and prints a JSON list of differences.

Descriptions (as tools/gen-torchsave-fixtures.py): {"$tensor": {dtype, shape, data, id}} (data
flattened in C order, as Tensile loads it: float16/bfloat16 widened to float32 values, integers as
ints; floats as numbers or "nan"/"inf"/"-inf"/"-0"; id: the same id = the same tensor object),
{"$dict": [[k, v], ...]}, {"$list": [...]}, {"$tuple": [...]}, {"$int": "decimal"},
{"$float": x}, str, bool, None.
"""
import io
import json
import math
import os
import pickle
import random
import struct
import sys
from collections import OrderedDict

import numpy as np
import torch
from torch import nn

TENSILE = {"float32": "float32", "float64": "float64", "float16": "float32", "bfloat16": "float32", "int64": "int32",
           "int32": "int32", "int16": "int32", "int8": "int32", "uint8": "int32", "bool": "bool"}
DTYPES = [torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int64, torch.int32, torch.int16,
          torch.int8, torch.uint8, torch.bool]


def num(x):
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0 and math.copysign(1, x) < 0:
        return "-0"
    return x


class Describer:
    """describe() with tensor identity: ids count distinct tensor objects in order of first use."""

    def __init__(self):
        self.ids = {}

    def __call__(self, v):
        if isinstance(v, torch.Tensor):
            t = v.detach()
            if t.dtype in (torch.float16, torch.bfloat16):
                t = t.float()
            flat = t.reshape(-1).tolist()
            tid = self.ids.setdefault(id(v), len(self.ids))
            dt = str(v.dtype).replace("torch.", "")
            return {"$tensor": {"dtype": TENSILE.get(dt, dt), "shape": list(v.shape), "id": tid,
                                "data": [x if isinstance(x, (bool, int)) else num(x) for x in flat]}}
        if isinstance(v, dict):
            return {"$dict": [[self(k), self(x)] for k, x in v.items()]}
        if isinstance(v, list):
            return {"$list": [self(x) for x in v]}
        if isinstance(v, tuple):
            return {"$tuple": [self(x) for x in v]}
        if isinstance(v, bool) or v is None or isinstance(v, str):
            return v
        if isinstance(v, int):
            return {"$int": str(v)}
        if isinstance(v, float):
            return {"$float": num(v)}
        if isinstance(v, bytes):
            return {"$bytes": list(v)}
        raise TypeError(f"cannot describe {type(v)}")


# ---------------------------------------------------------------- random torch.save objects
class Gen:
    def __init__(self, rng: random.Random):
        self.r = rng
        self.errors = []  # what the case must be refused for
        self.pool = []  # tensors already made (shared, or bases for views)

    def shape(self):
        r = self.r
        if r.random() < 0.05:
            return [r.randint(3000, 9000)]  # large-ish
        nd = r.choice([0, 1, 1, 2, 2, 3, 4])
        return [r.choice([0, 1, 2, 3, 4, 5]) if r.random() < 0.15 else r.randint(1, 5) for _ in range(nd)]

    def values(self, dtype, shape, overflow_ok):
        r = self.r
        n = int(np.prod(shape)) if shape else 1
        if dtype == torch.bool:
            return torch.tensor([r.random() < 0.5 for _ in range(n)], dtype=torch.bool).reshape(shape)
        if dtype.is_floating_point:
            t = torch.randn(n, generator=self.tg, dtype=torch.float64) * (10 ** r.randint(-3, 3))
            for _ in range(r.randint(0, 2) if n else 0):
                t[r.randrange(n)] = r.choice([math.nan, math.inf, -math.inf, -0.0, 0.0, 65504.0, 1e-8])
            return t.to(dtype).reshape(shape)
        info = torch.iinfo(dtype)
        lo, hi = info.min, info.max
        if dtype == torch.int64:
            lo, hi = -2**31, 2**31 - 1
        t = torch.randint(lo, hi, (n,), generator=self.tg, dtype=torch.int64) if n else torch.zeros(0, dtype=torch.int64)
        if dtype == torch.int64 and overflow_ok and n and r.random() < 0.3:
            t[r.randrange(n)] = r.choice([2**31, -2**31 - 1, 2**62, -2**63])
            self.errors.append("outside the int32 range")
        return t.to(dtype).reshape(shape)

    def tensor(self):
        r = self.r
        if self.pool and r.random() < 0.15:
            return r.choice(self.pool)  # the same tensor object twice
        if r.random() < 0.01:
            self.errors.append("complex")
            return torch.randn(2, 2, dtype=torch.complex64)
        dtype = r.choice(DTYPES)
        if self.pool and r.random() < 0.3:
            t = self.view(r.choice(self.pool))
        else:
            t = self.values(dtype, self.shape(), True)
            if r.random() < 0.35:
                t = self.view(t)
        if t.dtype.is_floating_point and r.random() < 0.15:
            t = nn.Parameter(t, requires_grad=r.random() < 0.5)
        elif t.dtype.is_floating_point and r.random() < 0.1:
            t = t.detach().requires_grad_(True)
        self.pool.append(t)
        return t

    def view(self, t):
        """A view sharing t's storage: slices with steps, transposes, permutes, narrow, select,
        expand (stride 0), diagonal, as_strided with an offset."""
        r = self.r
        t = t.detach()
        for _ in range(r.randint(1, 3)):
            k = r.randrange(8)
            if t.dim() == 0:
                t = t.unsqueeze(0) if k < 4 else t.expand(r.randint(1, 4))
                continue
            d = r.randrange(t.dim())
            n = t.shape[d]
            if k == 0 and n > 0:
                a = r.randrange(n)
                t = t.narrow(d, a, r.randint(0, n - a))
            elif k == 1:
                t = t.transpose(d, r.randrange(t.dim()))
            elif k == 2:
                t = t.permute(*r.sample(range(t.dim()), t.dim()))
            elif k == 3 and n > 0:
                t = t.select(d, r.randrange(n))
            elif k == 4:
                idx = [slice(None)] * t.dim()
                idx[d] = slice(r.randint(0, max(n - 1, 0)), None, r.randint(1, 3))
                t = t[tuple(idx)]
            elif k == 5 and t.dim() < 4:
                t = t.unsqueeze(d).expand(*([r.randint(1, 3)] + [-1] * t.dim())) if d == 0 else t.unsqueeze(d)
            elif k == 6 and t.dim() >= 2:
                t = t.diagonal(0, 0, 1)
            elif k == 7 and t.numel() > 1:
                t = t.reshape(-1).as_strided([t.numel() // 2], [1], t.storage_offset() + t.numel() // 2) if t.is_contiguous() else t
        return t

    def scalar(self):
        r = self.r
        k = r.randrange(10)
        return [torch.Size([r.randint(0, 5) for _ in range(r.randint(0, 3))]), True, False, r.randint(-1000, 1000), r.choice([2**53 + 1, -2**60, 2**70, 0, -1]),
                r.choice([0.5, -0.0, math.inf, -math.inf, math.nan, 1e300, 3.0, r.random()]),
                r.choice(["", "weight", "héllo ✓ 😀", "lone \ud800 surrogate", "a" * r.randint(0, 300), "0", "1.weight"]),
                r.randint(-2**31, 2**31), "x" + str(r.random()), None][k]

    def key(self, mixed):
        r = self.r
        if mixed and r.random() < 0.2:
            return r.choice([0, 1, 7, -3, 2**40, None, True, (1, 2), 2.5])
        return r.choice(["w", "bias", "layer.0.weight", "ü", "", "__proto__", "12", "k" + str(r.randrange(100))])

    def value(self, depth):
        r = self.r
        x = r.random()
        if depth >= 3 or x < 0.35:
            return self.tensor()
        if x < 0.5:
            return self.scalar()
        if x < 0.7:
            mixed = r.random() < 0.3
            d = OrderedDict() if r.random() < 0.3 else {}
            for _ in range(r.randint(0, 5)):
                d[self.key(mixed)] = self.value(depth + 1)
            return d
        if x < 0.85:
            return [self.value(depth + 1) for _ in range(r.randint(0, 4))]
        if x < 0.95:
            return tuple(self.value(depth + 1) for _ in range(r.randint(0, 4)))
        return self.optimizer_state()

    def state_dict(self):
        r = self.r
        sd = OrderedDict()
        for i in range(r.randint(1, 6)):
            sd[f"layers.{i}.{r.choice(['weight', 'bias', 'running_mean', 'num_batches_tracked'])}"] = self.tensor()
        return sd

    def optimizer_state(self):
        r = self.r
        m = nn.Linear(r.randint(1, 4), r.randint(1, 3))
        opt = r.choice([lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9), lambda p: torch.optim.Adam(p, lr=1e-3),
                        lambda p: torch.optim.RMSprop(p, lr=0.01), lambda p: torch.optim.AdamW(p, amsgrad=True)])(m.parameters())
        m(torch.randn(2, m.in_features, generator=self.tg)).sum().backward()
        opt.step()
        return opt.state_dict()

    def top(self):
        r = self.r
        k = r.random()
        if k < 0.35:
            return self.state_dict()
        if k < 0.45:
            return self.tensor()
        return {"model": self.state_dict(), "extra": self.value(0), "epoch": r.randint(0, 99), "more": self.value(1)}


def save_pt(obj, path, r):
    legacy = r.random() < 0.2
    proto = r.choice([1, 2, 2, 2, 3, 4, 5])
    if legacy:
        torch.save(obj, path, _use_new_zipfile_serialization=False, pickle_protocol=proto)
    else:
        torch.save(obj, path, pickle_protocol=proto)
    return {"legacy": legacy, "protocol": proto}


# ---------------------------------------------------------------- safetensors by hand
ST = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "BF16": None, "I64": "<i8", "I32": "<i4", "I16": "<i2", "I8": "i1",
      "U8": "u1", "U16": "<u2", "U32": "<u4", "U64": "<u8", "BOOL": "?"}
ST_AS = {"F64": "float64", "F32": "float32", "F16": "float32", "BF16": "float32", "BOOL": "bool"}


def st_tensor(r, g, dt, shape):
    """(little-endian bytes, Tensile's flat values, error or None)."""
    n = int(np.prod(shape)) if shape else 1
    err = None
    if dt == "BOOL":
        a = np.array([r.random() < 0.5 for _ in range(n)], dtype="?")
        return a.tobytes(), a.tolist(), None
    if dt in ("F64", "F32", "F16", "BF16"):
        t = torch.randn(n, generator=g, dtype=torch.float64) * 10 ** r.randint(-2, 2)
        if n and r.random() < 0.3:
            t[r.randrange(n)] = r.choice([math.nan, math.inf, -math.inf, -0.0])
        tt = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}[dt]
        t = t.to(tt)
        raw = t.view(torch.int16).numpy().astype("<i2").tobytes() if dt == "BF16" else t.numpy().astype(ST[dt]).tobytes()
        return raw, [num(x) for x in t.float().tolist()] if dt in ("F16", "BF16") else [num(x) for x in t.tolist()], None
    np_dt = np.dtype(ST[dt])
    info = np.iinfo(np_dt)
    lo, hi = max(int(info.min), -2**31), min(int(info.max), 2**31 - 1)
    vals = [r.randint(lo, hi) for _ in range(n)]
    if dt in ("I64", "U64", "U32") and n and r.random() < 0.2:
        vals[r.randrange(n)] = r.choice([2**31, int(info.max)] + ([-2**31 - 1, int(info.min)] if dt == "I64" else []))
        err = "outside the int32 range"
    return np.array(vals, dtype=np_dt).tobytes(), vals, err


def gen_st(r, g):
    names = set()
    items = []
    errs = []
    for _ in range(r.randint(0, 8)):
        name = r.choice(["w", "a.b", "layer.0.weight", "ü✓", "__proto__", "x" * r.randint(1, 40), "k" + str(r.randrange(1000))])
        if name in names:
            continue
        names.add(name)
        dt = r.choice(list(ST))
        shape = [r.randint(0, 4) for _ in range(r.choice([0, 1, 2, 3]))] if r.random() > 0.05 else [r.randint(2000, 5000)]
        raw, vals, err = st_tensor(r, g, dt, shape)
        if err:
            errs.append(err)
        items.append((name, dt, shape, raw, vals))
    order = items[:]
    r.shuffle(order)  # data order need not be the writer's dtype order
    header = {}
    if r.random() < 0.5:
        header["__metadata__"] = {r.choice(["format", "ü", "k" + str(i)]): r.choice(["pt", "", "✓ ok", "{\"json\": 1}"]) for i in range(r.randint(0, 3))}
    off = 0
    for name, dt, shape, raw, _ in order:
        header[name] = {"dtype": dt, "shape": shape, "data_offsets": [off, off + len(raw)]}
        off += len(raw)
    keys = list(header)
    r.shuffle(keys)  # key order in the JSON is free
    h = json.dumps({k: header[k] for k in keys}, ensure_ascii=r.random() < 0.5, separators=r.choice([(",", ":"), (", ", ": ")])).encode()
    pad = r.choice([0, -len(h) % 8, -len(h) % 8 + 8, 3])
    h += b" " * pad
    data = struct.pack("<Q", len(h)) + h + b"".join(raw for _, _, _, raw, _ in order)
    expect = {"tensors": {name: {"dtype": ST_AS.get(dt, "int32"), "shape": shape, "data": vals} for name, dt, shape, _, vals in items},
              "metadata": header.get("__metadata__")}
    return data, expect, errs


# ---------------------------------------------------------------- hostile files made by hand
def hostile(out):
    """(name, bytes, text the TensileError must contain). Pickles are written by hand."""
    cases = []

    def zipped(pkl, records=()):
        buf = io.BytesIO()
        import zipfile
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
            z.writestr("archive/data.pkl", pkl)
            for k, v in records:
                z.writestr(f"archive/data/{k}", v)
            z.writestr("archive/version", "3\n")
        return buf.getvalue()

    def tensor_pkl(size, stride, numel=1, offset=0, storage="FloatStorage"):
        s = b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storage" + f"ctorch\n{storage}\n".encode()
        s += b"X\x01\x00\x00\x000X\x03\x00\x00\x00cpu" + pickle.dumps(numel, 2)[2:-1] + b"tQ" + pickle.dumps(offset, 2)[2:-1]
        s += pickle.dumps(tuple(size), 2)[2:-1] + pickle.dumps(tuple(stride), 2)[2:-1] + b"\x89ccollections\nOrderedDict\n)R" + b"tR."
        return s

    cases.append(("bad-os-system.pt", zipped(b"\x80\x02cos\nsystem\nX\x02\x00\x00\x00lsR."), "os.system"))
    cases.append(("bad-stride0-huge.pt", zipped(tensor_pkl([100000, 100000], [0, 0]), [("0", b"\0" * 4)]), "too large"))
    cases.append(("bad-stride0-big.pt", zipped(tensor_pkl([40000, 40000], [0, 0]), [("0", b"\0" * 4)]), "too large"))
    cases.append(("bad-huge-numel.pt", zipped(tensor_pkl([2], [1], numel=2**50), [("0", b"\0" * 8)]), "truncated"))
    cases.append(("bad-complex.pt", zipped(tensor_pkl([2], [1], numel=2, storage="ComplexFloatStorage"), [("0", b"\0" * 16)]), "complex"))
    deep = b"\x80\x02" + b"]" * 200000 + b"a" * 199999 + b"."
    cases.append(("bad-deep-list.pt", zipped(deep), "levels deep"))
    base = torch.zeros(1 << 20)
    buf = io.BytesIO()
    torch.save([base[:] for _ in range(100)], buf)  # 100 views of one 4 MB storage: 400 MB as copies
    cases.append(("bad-many-views.pt", buf.getvalue(), "brings the elements"))
    cases.append(("bad-bare-pickle.pt", pickle.dumps({"a": 1}, 2), "bare Python pickle"))
    cases.append(("bad-notzip.pt", b"PK\x03\x04" + b"\0" * 100, "ZIP"))
    hdr = lambda h: struct.pack("<Q", len(h)) + h  # noqa: E731
    cases.append(("bad-st-huge-shape.safetensors", hdr(b'{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}') + b"\0" * 4, "too large"))
    cases.append(("bad-st-offsets.safetensors", hdr(b'{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4000000000]}}') + b"\0" * 4, "span"))
    cases.append(("bad-st-trunc-header.safetensors", struct.pack("<Q", 50) + b'{"a":', "truncated"))
    cases.append(("bad-st-huge-header.safetensors", struct.pack("<Q", 2**63) + b"{}", "header length"))
    cases.append(("bad-st-deep.safetensors", hdr(b'{"a":' + b"[" * 100000 + b"]" * 100000 + b"}"), "deeper"))
    for name, data, _ in cases:
        open(os.path.join(out, name), "wb").write(data)
    return [{"file": n, "kind": "st" if n.endswith(".safetensors") else "pt", "error": e} for n, _, e in cases]


def refusals(v, seen):
    """What Tensile must refuse v for: a complex tensor, or an int64 tensor (as saved: its view, not
    its whole storage) with a value outside int32."""
    if id(v) in seen:
        return []
    seen.add(id(v))
    if isinstance(v, torch.Tensor):
        if v.is_complex():
            return ["complex"]
        return ["outside the int32 range"] if v.dtype == torch.int64 and v.numel() and (v.min() < -2**31 or v.max() >= 2**31) else []
    items = list(v.keys()) + list(v.values()) if isinstance(v, dict) else v if isinstance(v, (list, tuple)) else []
    return sorted({e for x in items for e in refusals(x, seen)})


def gen(seed, count, out):
    os.makedirs(out, exist_ok=True)
    r = random.Random(seed)
    cases = []
    for i in range(count):
        g = Gen(random.Random(r.random()))
        g.tg = torch.Generator().manual_seed(r.randrange(2**31))
        torch.manual_seed(r.randrange(2**31))
        obj = g.top()
        g.errors = refusals(obj, set())  # from what is saved (a dict key met twice drops a value)
        name = f"pt-{seed}-{i}.pt"
        info = save_pt(obj, os.path.join(out, name), g.r)
        case = {"file": name, "kind": "pt", **info}
        if g.errors:
            case["error"] = g.errors
        else:
            case["expect"] = Describer()(obj)
        cases.append(case)
        data, expect, errs = gen_st(g.r, g.tg)
        name = f"st-{seed}-{i}.safetensors"
        open(os.path.join(out, name), "wb").write(data)
        cases.append({"file": name, "kind": "st", **({"error": errs} if errs else {"expect": expect})})
    cases += hostile(out)
    json.dump(cases, open(os.path.join(out, "cases.json"), "w"))
    print(f"{len(cases)} files in {out}")


# ---------------------------------------------------------------- checking files Tensile wrote
def st_load(data):
    """A strict reader per the spec; returns (tensors as numpy/torch, metadata, problems)."""
    problems = []
    (n,) = struct.unpack("<Q", data[:8])
    if n % 8:
        problems.append(f"header length {n} not a multiple of 8")
    h = data[8:8 + n]
    header = json.loads(h.decode("utf-8"))
    if h != h.rstrip(b" ") + b" " * (len(h) - len(h.rstrip(b" "))):
        problems.append("bad padding")
    meta = header.pop("__metadata__", None)
    buf = data[8 + n:]
    spans = sorted((v["data_offsets"], k) for k, v in header.items())
    at = 0
    for (b, e), k in spans:
        if b != at:
            problems.append(f"{k} begins at {b}, expected {at}")
        at = e
    if at != len(buf):
        problems.append(f"data ends at {at} but buffer has {len(buf)}")
    rank = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"]
    order = sorted(header, key=lambda k: header[k]["data_offsets"])
    want = sorted(header, key=lambda k: (-rank.index(header[k]["dtype"]), k.encode()))
    if order != want:
        problems.append(f"data order {order} is not safetensors' {want}")
    tensors = {}
    for k, v in header.items():
        b, e = v["data_offsets"]
        a = np.frombuffer(buf[b:e], ST[v["dtype"]]).reshape(v["shape"])
        tensors[k] = torch.from_numpy(a.copy())
    return tensors, meta, problems


def same(a, b, at, diffs):
    """a: Python's description of what it loaded, b: Tensile's description of what it wrote."""
    if isinstance(b, dict) and "$tensor" in b:
        if not (isinstance(a, dict) and "$tensor" in a):
            return diffs.append(f"{at}: expected a tensor, got {str(a)[:80]}")
        x, y = a["$tensor"], b["$tensor"]
        for f in ("dtype", "shape", "data"):
            if x[f] != y[f]:
                diffs.append(f"{at}: {f} {str(x[f])[:200]} != {str(y[f])[:200]}")
        return
    if isinstance(b, dict) and isinstance(a, dict) and b.keys() == a.keys() and len(b) == 1:
        k = next(iter(b))
        if k in ("$list", "$tuple", "$dict"):
            if len(a[k]) != len(b[k]):
                return diffs.append(f"{at}: length {len(a[k])} != {len(b[k])}")
            for i, (u, v) in enumerate(zip(a[k], b[k])):
                same(u, v, f"{at}[{i}]", diffs)
            return
    if a != b:
        diffs.append(f"{at}: {str(a)[:200]} != {str(b)[:200]}")


def check(d):
    written = json.load(open(os.path.join(d, "written.json")))
    diffs = []
    counts = {"pt": 0, "st": 0, "weights_only_ok": 0, "weights_only_float_refusals": 0}
    for case in written:
        path = os.path.join(d, case["file"])
        try:
            if case["kind"] == "st":
                tensors, meta, problems = st_load(open(path, "rb").read())
                for p in problems:
                    diffs.append(f"{case['file']}: {p}")
                desc = Describer()
                got = {k: desc(v)["$tensor"] for k, v in tensors.items()}
                for k, v in case["expect"]["tensors"].items():
                    g = got.get(k)
                    if g is None:
                        diffs.append(f"{case['file']}: missing {k}")
                        continue
                    for f in ("dtype", "shape", "data"):
                        if g[f] != v[f]:
                            diffs.append(f"{case['file']}: {k} {f} {str(g[f])[:200]} != {str(v[f])[:200]}")
                if set(got) != set(case["expect"]["tensors"]):
                    diffs.append(f"{case['file']}: keys {sorted(got)} != {sorted(case['expect']['tensors'])}")
                if meta != case["expect"]["metadata"]:
                    diffs.append(f"{case['file']}: metadata {meta} != {case['expect']['metadata']}")
                counts["st"] += 1
                continue
            obj = torch.load(path)
            desc = Describer()
            same(desc(obj), case["expect"], case["file"], diffs)
            # shared tensors: Tensile's ids must match torch's object identity
            for (p, q) in case.get("shared", []):
                if get_path(obj, p) is not get_path(obj, q):
                    diffs.append(f"{case['file']}: {p} and {q} are not one tensor")
            counts["pt"] += 1
            try:
                wo = torch.load(path, weights_only=True)
                same(Describer()(wo), case["expect"], case["file"] + " (weights_only)", diffs)
                counts["weights_only_ok"] += 1
            except Exception as e:  # torch 1.13's weights_only unpickler has no BINFLOAT
                if case.get("has_float"):
                    counts["weights_only_float_refusals"] += 1
                else:
                    diffs.append(f"{case['file']}: weights_only=True failed: {str(e)[:300]}")
        except Exception as e:
            diffs.append(f"{case['file']}: {type(e).__name__}: {str(e)[:300]}")
    print(json.dumps({"counts": counts, "diffs": diffs}))


def get_path(obj, path):
    """path from io-fuzz.mts: list indices, object keys (a canonical integer string was saved as an
    int key), and {"$map": key} for Map keys (saved with their own type)."""
    for p in path:
        if isinstance(p, dict):
            obj = obj[p["$map"]]
        elif isinstance(obj, (list, tuple)):
            obj = obj[p]
        else:
            obj = obj[int(p)] if p.isdigit() and (p == "0" or p[0] != "0") else obj[p]
    return obj


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    elif sys.argv[1] == "check":
        check(sys.argv[2])
    else:
        sys.exit(__doc__)
