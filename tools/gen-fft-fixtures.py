"""PyTorch oracle for Tensile's `fft` namespace (torch.fft).

Run from the repository root with Debian's torch:

    /usr/bin/python3 tools/gen-fft-fixtures.py [--out DIR] [--quiet]

It writes fixtures/ops-fft.json in the op-table format of tools/gen-torch-fixtures.py (see that
script's docstring), from the cases and adapters of tools/torchfix/ops_fft.py, run through the same
tools/torchfix/runner.py. Complex values are in torch.view_as_real's layout (docs/fft.md).
test/ops-fft.test.ts reads it.
"""
import argparse
import json
import os
import sys
import warnings

sys.dont_write_bytecode = True  # keep __pycache__ out of the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402

from torchfix import spec, runner  # noqa: E402
from torchfix import ops_fft  # noqa: E402

GENERATOR = "tools/gen-fft-fixtures.py"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"), help="output folder")
    ap.add_argument("--quiet", action="store_true", help="no per-sample warnings")
    opts = ap.parse_args()
    warnings.filterwarnings("ignore", category=UserWarning)
    torch.set_num_threads(1)

    notes = []
    ops_fft.cases()
    records = [runner.run(s, notes.append) for s in spec.SAMPLES]
    for name in sorted(set(spec.ADAPTERS) - {s.op for s in spec.SAMPLES}):
        notes.append(f"{name}: adapter without samples")
    if not opts.quiet:
        for w in notes:
            print("warning:", w, file=sys.stderr)

    os.makedirs(opts.out, exist_ok=True)
    body = ",\n".join(json.dumps(r, separators=(",", ":"), allow_nan=False) for r in records)
    text = (f'{{"generator":{json.dumps(GENERATOR)},"torch":{json.dumps(torch.__version__)},\n'
            f'"samples":[\n{body}\n]}}\n')
    with open(os.path.join(opts.out, "ops-fft.json"), "w", encoding="utf-8") as f:
        f.write(text)
    no_gc = sum(1 for r in records if r["gradOutput"] and not r["gradcheck"])
    print(f"torch {torch.__version__}: ops-fft.json: {len(records)} samples / "
          f"{len({r['op'] for r in records})} ops / {len(text) / 1e6:.2f} MB; "
          f"{no_gc} differentiable samples without gradcheck; {len(notes)} warnings")


if __name__ == "__main__":
    main()
