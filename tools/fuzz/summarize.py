"""Groups the differences replay.mts wrote (FAILS.jsonl files) by class, op and message, with one
example id per group:  python3 tools/fuzz/summarize.py FAILS.jsonl ..."""
import json
import re
import sys
from collections import defaultdict

# torch refusals that are not Tensile bugs: Tensile accepts more (a scalar where torch wants a tensor,
# mixed float dtypes in matmul, integer/bool inputs of float-only kernels).
BENIGN = [r"must be Tensor, not", r"not implemented for '(Int|Bool|Long)'", r"expected scalar type (Float|Double) but found",
          r"expected both vectors to have same dtype", r"heaviside is not yet implemented for tensors with different dtypes",
          r"expected dtype float for `end`", r"invalid combination of arguments", r"view size is not compatible"]

groups = defaultdict(list)
for path in sys.argv[1:]:
    for line in open(path):
        if not line.strip():
            continue
        f = json.loads(line)
        if f["cls"] == "MISSING_ERROR" and any(re.search(b, f.get("torchError", "")) for b in BENIGN):
            key = ("benign-permissive", f["call"].split("(")[0], re.sub(r"[\d\[\], x]+", "#", f.get("torchError", ""))[:70])
        elif f["cls"] in ("MISSING_ERROR", "CRASH_ON_BAD_INPUT"):
            key = (f["cls"], f["call"].split("(")[0], re.sub(r"\d+", "#", f.get("torchError", ""))[:90])
        elif f["cls"] in ("SPURIOUS_ERROR", "CRASH", "HARNESS", "GRAD_ERROR", "MISSING_FN"):
            key = (f["cls"], f["call"].split("(")[0], re.sub(r"\d+", "#", (f.get("error") or " ".join(f["issues"])))[:100])
        else:
            key = (f["cls"], f["call"].split("(")[0], re.sub(r"[-\d.e]+|NaN|Infinity", "#", f["issues"][0])[:60])
        if f.get("special"):
            key = key[:1] + (key[1] + " (nan/inf input)",) + key[2:]
        groups[key].append(f)
for key, fs in sorted(groups.items(), key=lambda kv: (kv[0][0].startswith("benign"), kv[0])):
    print(f"{len(fs):4d}  {' | '.join(key)}  e.g. {fs[0]['id']} [{fs[0]['backend']}]")
