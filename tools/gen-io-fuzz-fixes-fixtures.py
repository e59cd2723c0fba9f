#!/usr/bin/python3
"""PyTorch side of test/io-fuzz-fixes.test.ts: small files for the bugs tools/fuzz/io-fuzz.mts found
in Tensile's torch.save reader (fixtures/io-fuzz-fixes/).

Run with Debian's torch:   /usr/bin/python3 tools/gen-io-fuzz-fixes-fixtures.py [--out DIR]
Deterministic (torch.save numbers storages in order and its ZIP entries carry no timestamps; the
hand-made archives use a fixed date), so `--out "$(mktemp -d)"` and `cmp` check the committed files.

  complex64.pt, complex128.pt   a complex tensor in a state dict: must be refused, naming the dtype
  expanded-small.pt             torch.arange(3.).expand(4, 3) (stride 0) and a transposed view of it:
                                load as copies (values in expected.json)
  expanded-huge.pt              torch.zeros(1).expand(10000, 10000): a 1-element storage viewed as
                                1e8 elements; must be refused, not copied
  size.pt, size-protocol4.pt    torch.Size values (a tensor's .shape saved in a dict): load as arrays
  deep-1000.pt, deep-1001.pt    lists nested 1000 and 1001 levels (hand-written pickle): the first
                                loads, the second is refused, not a stack overflow
  surrogates.pt                 str values holding lone surrogates (pickle writes them "surrogatepass"):
                                load exactly, not as "not valid UTF-8"
  protocol1.pt                  torch.save(..., pickle_protocol=1): its text-mode INT (bools) and LONG
                                (an int beyond 2^64) opcodes load
  legacy-protocol1.pt           _use_new_zipfile_serialization=False with pickle_protocol=1: the magic
                                number is a text LONG, which must still be recognised (no tensors, so
                                the legacy format's address-named storage keys do not make it vary)
  protocol0.pt                  pickle_protocol=0: refused, saying Tensile reads protocols 1 to 5
  zip-bad-extra.pt              a torch.save file whose last central-directory entry claims a
                                65535-byte extra field running past the end: refused, not a RangeError
  expected.json                 the loadable files' contents, described as gen-torchsave-fixtures.py does
"""
import argparse
import io
import json
import os
import struct
import zipfile
from collections import OrderedDict

import torchfix.pin_cpu  # noqa: F401  (before torch, as every generator)
import torch

FIXTURES = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "io-fuzz-fixes"))


def describe(v):
    if isinstance(v, torch.Tensor):
        return {"$tensor": {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape), "data": v.detach().reshape(-1).tolist()}}
    if isinstance(v, dict):
        return {"$dict": [[describe(k), describe(x)] for k, x in v.items()]}
    if isinstance(v, list):
        return {"$list": [describe(x) for x in v]}
    if isinstance(v, tuple):  # torch.Size too
        return {"$tuple": [describe(x) for x in v]}
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int):
        return {"$int": str(v)}
    if isinstance(v, float):
        return {"$float": v}
    raise TypeError(f"cannot describe {type(v)}")


def zipped(records):
    """A ZIP of stored records with a fixed date, as torch.save lays them out (archive/...)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, data in records:
            z.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)
    return buf.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=FIXTURES)
    out = ap.parse_args().out
    os.makedirs(out, exist_ok=True)
    path = lambda name: os.path.join(out, name)  # noqa: E731
    expected = {"torch": torch.__version__}

    torch.save(OrderedDict(w=torch.ones(2), z=torch.tensor([1 + 2j, -3j], dtype=torch.complex64)), path("complex64.pt"))
    torch.save({"z": torch.tensor([0.5j], dtype=torch.complex128)}, path("complex128.pt"))

    base = torch.arange(3.0)
    small = {"expanded": base.expand(4, 3), "transposed": base.expand(4, 3).t(), "base": base}
    torch.save(small, path("expanded-small.pt"))
    expected["expanded-small.pt"] = describe(torch.load(path("expanded-small.pt")))
    torch.save({"big": torch.zeros(1).expand(10000, 10000)}, path("expanded-huge.pt"))

    t = torch.zeros(2, 3, 0)
    sizes = {"shape": t.shape, "empty": torch.Size([]), "list": [torch.Size([7])], "w": torch.ones(2, 3)}
    torch.save(sizes, path("size.pt"))
    torch.save(sizes, path("size-protocol4.pt"), pickle_protocol=4)
    expected["size.pt"] = describe(torch.load(path("size.pt")))
    expected["size-protocol4.pt"] = describe(torch.load(path("size-protocol4.pt")))

    # Nested lists by hand (Python's own pickler stops near its recursion limit): PROTO 2, n EMPTY_LISTs,
    # n - 1 APPENDs (each puts the top list into the one below), STOP.
    for n in (1000, 1001):
        pkl = b"\x80\x02" + b"]" * n + b"a" * (n - 1) + b"."
        open(path(f"deep-{n}.pt"), "wb").write(zipped([("archive/data.pkl", pkl), ("archive/version", b"3\n")]))

    torch.save({"s": ["a\ud800b", "\udfff", "x\U0001f600y\udbff", "\ud800\ud800"], "w": torch.ones(1)}, path("surrogates.pt"))
    expected["surrogates.pt"] = describe(torch.load(path("surrogates.pt")))

    p1 = OrderedDict(w=torch.arange(4.0).reshape(2, 2), t=True, f=False, big=2**70, neg=-5, i=10**6, x=0.5, s="é")
    torch.save(p1, path("protocol1.pt"), pickle_protocol=1)
    expected["protocol1.pt"] = describe(torch.load(path("protocol1.pt")))
    torch.save({"w": torch.ones(2)}, path("protocol0.pt"), pickle_protocol=0)
    torch.save({"epoch": 3, "ok": True, "big": -2**70}, path("legacy-protocol1.pt"), _use_new_zipfile_serialization=False, pickle_protocol=1)
    expected["legacy-protocol1.pt"] = describe(torch.load(path("legacy-protocol1.pt")))

    buf = io.BytesIO()
    torch.save({"w": torch.ones(3)}, buf)
    data = bytearray(buf.getvalue())
    end = data.rindex(b"PK\x05\x06")
    count, _, cd_offset = struct.unpack_from("<HII", data, end + 10)
    at = cd_offset
    for _ in range(count - 1):  # to the last central-directory entry
        n, e, c = struct.unpack_from("<HHH", data, at + 28)
        at += 46 + n + e + c
    struct.pack_into("<H", data, at + 30, 0xFFFF)
    open(path("zip-bad-extra.pt"), "wb").write(bytes(data))

    with open(path("expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
