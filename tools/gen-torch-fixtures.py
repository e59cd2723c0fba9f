"""PyTorch oracle for Tensile's op table.

Run from the repository root with Debian's torch:

    /usr/bin/python3 tools/gen-torch-fixtures.py [--out DIR] [--quiet]

It writes fixtures/ops.json (core ops: elementwise, activations, reductions, linear algebra,
movement/indexing, and one forward case per in-place Tensor method) and fixtures/ops-nn.json (the
F. functions: linear/bilinear/dropout, losses, conv/pool/norm/interpolate/unfold/fold), and prints
a one-line summary (warnings go to stderr). Running it twice gives identical files;
tools/check-fixtures-fresh.sh compares the committed files with a fresh run. The cases live in
tools/torchfix/ops_*.py, next to the adapter that maps each op's Tensile-form args onto torch.

File format:
  {"generator": "tools/gen-torch-fixtures.py", "torch": "<torch.__version__>", "samples": [sample...]}
  sample = {
    "name": "<op>/<case>",                unique
    "op": "add" | "F.crossEntropy" | "add_" ...   (names of docs/op-signatures.md; a trailing "_"
                                          is an in-place Tensor method called on args[0])
    "args": [...],                        positional args exactly as Tensile receives them; the
                                          trailing options object has camelCase keys; null = None
    "outputs": [tensor...],               one per returned tensor (max(x, dim), split, returnIndices)
    "checkArgsAfter": [{"arg": i, "shape", "data"}],   optional: arg i's value after the call
                                          (running stats of F.batchNorm, self of in-place ops)
    "gradOutput": {"shape", "data"} | null,   upstream gradient of outputs[0] (its dtype)
    "grads": [{"shape", "data"} | null],  d(sum(outputs[0] * gradOutput))/d(leaf) for each arg
                                          tensor with requiresGrad, depth-first in args (lists and
                                          options included), w.r.t. the base before any view
    "gradcheck": bool,                    torch's float64 gradcheck passes at these inputs with
                                          eps 1e-6 (atol 1e-5, rtol 1e-4) and with eps 1e-3
    "rtol", "atol": optional looser float32 tolerances, present only where rounding needs them
  }
  tensor = {"shape": [...], "dtype": "float32"|"float64"|"int32"|"bool", "data": [flat row-major]}
  arg tensor = {"$t": {shape, dtype, data, "requiresGrad": bool, "view": [step...]?}}
    view steps, applied to the base in order: ["transpose", d0, d1], ["permute", dims],
    ["index", spec] (spec as Tensile's index(): int, "a:b:c", ":", "...", null), ["expand", shape]
  Data: numbers (float32 as the shortest decimal that reads back to the same float32), true/false
  for bool, and the strings "nan", "inf", "-inf". Integer tensors and results are "int32".

Tolerances: each float32 sample is rerun in float64, and again in float64 with rounding-sized
noise on the differentiable inputs; where torch's float32 error (x10) or that sensitivity (x3) does
not fit rtol 1e-5 / atol 1e-6, the sample carries the first looser pair that fits.
"""
import argparse
import json
import os
import re
import sys
import warnings

sys.dont_write_bytecode = True  # keep __pycache__ out of the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402

from torchfix import spec, runner  # noqa: E402
from torchfix import (ops_elementwise, ops_activations, ops_reduce, ops_linalg,  # noqa: E402
                      ops_movement, ops_inplace, ops_nn_losses, ops_nn_layers, ops_sort)
from torchfix import ops_linalg_lu  # noqa: E402
from torchfix import ops_special  # noqa: E402
from torchfix import ops_stats  # noqa: E402
from torchfix import ops_nn_pool  # noqa: E402
from torchfix import ops_api  # noqa: E402
from torchfix import ops_linalg_legacy  # noqa: E402

GENERATOR = "tools/gen-torch-fixtures.py"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def documented_ops():
    """Op names mentioned in docs/op-signatures.md, to warn when one has no samples."""
    path = os.path.join(ROOT, "docs", "op-signatures.md")
    if not os.path.exists(path):
        return set()
    names = set()
    for line in open(path, encoding="utf-8"):
        if line.startswith("#") or line.startswith("Rule") or "`" in line:
            continue
        names.update(re.findall(r"(?<![\w.])((?:F\.)?[a-z][A-Za-z0-9]*)\(", line))
        names.update(re.findall(r"(?<![\w.])(?<!as )(F\.[a-z][A-Za-z0-9]*)\b", line))  # not "as F.pad"
        m = re.match(r"^((?:[a-z][A-Za-z]* )+)\(a, b\)", line)  # "eq ne lt le gt ge (a, b)"
        if m:
            names.update(m.group(1).split())
        for part in re.findall(r"\b([a-z][A-Za-z]*(?: [a-z][A-Za-z]*)+) \(a, b\)", line):
            names.update(part.split())
    return names


def write(path, records):
    body = ",\n".join(json.dumps(r, separators=(",", ":"), allow_nan=False) for r in records)
    text = (f'{{"generator":{json.dumps(GENERATOR)},"torch":{json.dumps(torch.__version__)},\n'
            f'"samples":[\n{body}\n]}}\n')
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return len(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"), help="output folder")
    ap.add_argument("--quiet", action="store_true", help="no per-sample warnings")
    opts = ap.parse_args()
    warnings.filterwarnings("ignore", category=UserWarning)  # torch's deprecation notes
    torch.set_num_threads(1)  # deterministic reductions, and a light load on shared machines

    notes = []
    warn = notes.append
    for module in (ops_elementwise, ops_activations, ops_reduce, ops_linalg, ops_movement, ops_inplace,
                   ops_nn_losses, ops_nn_layers, ops_sort, ops_linalg_lu, ops_special, ops_stats, ops_nn_pool, ops_api,
                   ops_linalg_legacy):
        module.cases()

    files = {"ops.json": [], "ops-nn.json": []}
    for s in spec.SAMPLES:
        files["ops-nn.json" if s.op.startswith("F.") else "ops.json"].append(runner.run(s, warn))

    covered = {s.op for s in spec.SAMPLES}
    for name in sorted(set(spec.ADAPTERS) - covered):
        warn(f"{name}: adapter without samples")
    for name in sorted(documented_ops() - covered):
        warn(f"{name}: in docs/op-signatures.md but has no samples")
    if not opts.quiet:
        for w in notes:
            print("warning:", w, file=sys.stderr)

    os.makedirs(opts.out, exist_ok=True)
    parts = []
    for fname, recs in files.items():
        size = write(os.path.join(opts.out, fname), recs)
        ops = len({r["op"] for r in recs})
        parts.append(f"{fname}: {len(recs)} samples / {ops} ops / {size / 1e6:.2f} MB")
    no_gc = sum(1 for recs in files.values() for r in recs if r["gradOutput"] and not r["gradcheck"])
    print(f"torch {torch.__version__}: " + "; ".join(parts)
          + f"; {no_gc} differentiable samples without gradcheck; {len(notes)} warnings")


if __name__ == "__main__":
    main()
