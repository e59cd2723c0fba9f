"""Prints one case of a cases file as a standalone Tensile snippet (and the torch call with its result),
to start minimising a difference the replayer reported.

  /usr/bin/python3 tools/fuzz/repro.py CASES.json ID
"""
import json
import re
import sys


def camel(s):
    return re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), s)


def js(v):
    if isinstance(v, dict) and "$null" in v:
        return "null"
    if isinstance(v, dict) and "$t" in v:
        return v["$t"]
    if isinstance(v, dict) and "$ts" in v:
        return "[" + ", ".join(v["$ts"]) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{camel(k)}: {js(x)}" for k, x in v.items()) + " }"
    if isinstance(v, list):
        return "[" + ", ".join(js(x) for x in v) + "]"
    if v is None:
        return "undefined"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v in ("nan", "inf", "-inf"):
        return {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}[v]
    return json.dumps(v)


def py(v):
    if isinstance(v, dict) and "$null" in v:
        return "None"
    if isinstance(v, dict) and "$t" in v:
        return v["$t"]
    if isinstance(v, dict) and "$ts" in v:
        return "[" + ", ".join(v["$ts"]) + "]"
    if isinstance(v, list):
        return "[" + ", ".join(py(x) for x in v) + "]"
    if v in ("nan", "inf", "-inf"):
        return f"float('{v}')"
    return repr(v)


def view_js(v):
    k = v[0]
    if k == "index":
        return f'.index("{v[1]}")'
    if k in ("permute", "expand"):
        return f".{k}({js(v[1])})"
    return f".{k}({', '.join(js(a) for a in v[1:])})"


def view_py(v):
    k = v[0]
    if k == "index":
        return f"[{v[1]}]"
    if k in ("permute", "expand"):
        return f".{k}(*{v[1]})"
    return f".{k}({', '.join(str(a) for a in v[1:])})"


def main():
    cases = {c["id"]: c for c in json.load(open(sys.argv[1]))}
    c = cases[sys.argv[2]]
    print("// Tensile")
    for n, s in c["inputs"].items():
        dt = "int32" if s["dtype"] == "index" else s["dtype"]
        g = ", requiresGrad: true" if s.get("grad") else ""
        base = f'tensor({js(s["data"])}, {{ shape: {s["shape"]}, dtype: "{dt}"{g} }})'
        views = "".join(view_js(v) for v in s.get("views", []))
        print(f"const {n}0 = {base};\nconst {n} = {n}0{views};")
    call = c.get("ts", c["call"])
    args = [js(a) for a in call["args"]]
    if call.get("kw"):
        args.append(js(call["kw"]))
    fn = call["fn"]
    if fn.startswith("dist:"):  # torch.distributions (fam_dist.py); D = distributions, T = transforms
        from dist_spec import repro_lines
        print(repro_lines(call)[0])
    elif fn == "grad2:":  # second-order gradients (fam_grad2.py)
        from fam_grad2 import repro_lines as g2
        print(g2(call, js, py, camel)[0])
    elif fn.startswith("tv:"):  # torchvision.transforms.functional (fam_vision.py)
        from fam_vision import repro_lines as tv
        print(tv(call, js, py, camel)[0])
    elif fn.startswith("m."):
        name = fn[2:]
        name = camel(name[:-1]) + "_" if name.endswith("_") else camel(name)
        print(f"const r = {args[0]}.{name}({', '.join(args[1:])});")
    elif fn.startswith("F."):
        print(f"const r = F.{camel(fn[2:])}({', '.join(args)});")
    else:
        print(f"const r = {camel(fn)}({', '.join(args)});")
    print("\n# torch")
    for n, s in c["inputs"].items():
        dt = {"index": "int64"}.get(s["dtype"], s["dtype"])
        g = ", requires_grad=True" if s.get("grad") else ""
        views = "".join(view_py(v) for v in s.get("views", []))
        print(f"{n}0 = torch.tensor({py(s['data'])}, dtype=torch.{dt}).reshape({s['shape']}){'.requires_grad_()' if g else ''}; "
              f"{n} = {n}0{views}")
    call = c["call"]
    args = [py(a) for a in call["args"]] + [f"{k}={py(v)}" for k, v in call.get("kw", {}).items()]
    fn = call["fn"]
    if fn.startswith("dist:"):
        from dist_spec import repro_lines
        print(repro_lines(call)[1])
    elif fn == "grad2:":
        from fam_grad2 import repro_lines as g2
        print(g2(call, js, py, camel)[1])
    elif fn.startswith("tv:"):
        from fam_vision import repro_lines as tv
        print(tv(call, js, py, camel)[1])
    elif fn.startswith("m."):
        print(f"r = {args[0]}.{fn[2:]}({', '.join(args[1:])})")
    else:
        print(f"r = {'torch.nn.functional.' + fn[2:] if fn.startswith('F.') else 'torch.' + fn}({', '.join(args)})")
    print("# torch result:", json.dumps(c.get("out") or c.get("error"))[:1500])
    if c.get("grads"):
        print("# torch grads:", json.dumps(c["grads"])[:1500])


if __name__ == "__main__":
    main()
