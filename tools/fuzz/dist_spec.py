"""The torch side of the fuzz family "dist" (fam_dist.py, whose docstring has the call format): builds the
distribution a case describes and calls the method (spec.run_case calls `call_dist`), and renders a case for
tools/fuzz/repro.py (`repro_lines`)."""
import torch
import torch.distributions as D
import torch.distributions.transforms as TR


# ---------------------------------------------------------------- the torch side


def _conv(a, vals):
    if isinstance(a, dict):
        if "$t" in a:
            return vals[a["$t"]]
        if "$d" in a:
            return build_dist(a["$d"], vals)
        if "$tf" in a:
            s = a["$tf"]
            t = getattr(TR, s["name"] + "Transform")(*[_conv(x, vals) for x in s.get("args", [])],
                                                     **{k: _conv(v, vals) for k, v in s.get("kw", {}).items()})
            return t.inv if s.get("inv") else t
        return {k: _conv(v, vals) for k, v in a.items()}
    if isinstance(a, list):
        return [_conv(x, vals) for x in a]
    if a in ("nan", "inf", "-inf"):
        return float(a)
    return a


def build_dist(s, vals):
    C = getattr(D, s["cls"])
    return C(*[_conv(a, vals) for a in s["args"]], **{k: _conv(v, vals) for k, v in s.get("kw", {}).items()},
             validate_args=s["v"])


def call_dist(call, vals):
    m = call["fn"][5:]
    d = build_dist(call["d"], vals)
    if "expand" in call:
        d = d.expand(call["expand"])
    if m == "kl":
        return D.kl_divergence(d, build_dist(call["q"], vals))
    if m == "rsample_at":  # torch's rsample with its random draws replaced by the case's noise
        return _rsample_at(d, vals[call["noise"]], call["args"][0])
    a = getattr(d, m)
    if callable(a):
        return a(*[_conv(x, vals) for x in call.get("args", [])])
    return a


def _rsample_at(d, noise, sample_shape):
    """d.rsample(sample_shape) fed `noise`: LowRankMultivariateNormal's standard normals (ε_W then ε_D on
    one last dim, Tensile's lowRankMultivariateNormalDraw layout), the relaxed distributions' uniforms."""
    import torch.distributions.lowrank_multivariate_normal as LR
    if isinstance(d, D.LowRankMultivariateNormal):
        m = d.cov_factor.shape[-1]
        parts = [noise[..., :m], noise[..., m:]]
        saved = LR._standard_normal
        LR._standard_normal = lambda shape, dtype, device: parts.pop(0).reshape(shape)
        try:
            return d.rsample(sample_shape)
        finally:
            LR._standard_normal = saved
    saved = torch.rand
    torch.rand = lambda shape, dtype=None, device=None: noise.reshape(shape)
    try:
        return d.rsample(sample_shape)
    finally:
        torch.rand = saved


# ---------------------------------------------------------------- repro.py's rendering of a "dist:" call

def _rjs(a):
    if isinstance(a, dict):
        if "$t" in a:
            return a["$t"]
        if "$d" in a:
            return _dist_js(a["$d"])
        if "$tf" in a:
            s = a["$tf"]
            kw = ", { " + ", ".join(f"{_camel(k)}: {_rjs(v)}" for k, v in s["kw"].items()) + " }" if s.get("kw") else ""
            t = f"new D.{s['name']}Transform({', '.join(_rjs(x) for x in s.get('args', []))}{kw})"
            return t + ".inv" if s.get("inv") else t
    if isinstance(a, list):
        return "[" + ", ".join(_rjs(x) for x in a) + "]"
    if isinstance(a, bool):
        return "true" if a else "false"
    return {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}.get(a, repr(a)) if isinstance(a, str) else repr(a)


def _camel(s):
    import re
    return re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), s)


def _dist_js(s):
    opts = ", ".join([f"{_camel(k)}: {_rjs(v)}" for k, v in s.get("kw", {}).items()] + [f"validateArgs: {'true' if s['v'] else 'false'}"])
    return f"new D.{s['cls']}({''.join(_rjs(a) + ', ' for a in s['args'])}{{ {opts} }})"


def _rpy(a):
    if isinstance(a, dict):
        if "$t" in a:
            return a["$t"]
        if "$d" in a:
            return _dist_py(a["$d"])
        if "$tf" in a:
            s = a["$tf"]
            t = f"T.{s['name']}Transform({', '.join([_rpy(x) for x in s.get('args', [])] + [f'{k}={_rpy(v)}' for k, v in s.get('kw', {}).items()])})"
            return t + ".inv" if s.get("inv") else t
    if isinstance(a, list):
        return "[" + ", ".join(_rpy(x) for x in a) + "]"
    return f"float('{a}')" if a in ("nan", "inf", "-inf") else repr(a)


def _dist_py(s):
    return f"D.{s['cls']}({''.join(_rpy(a) + ', ' for a in s['args'])}{''.join(f'{k}={_rpy(v)}, ' for k, v in s.get('kw', {}).items())}validate_args={s['v']})"


def repro_lines(call):
    """(Tensile line, torch line) computing `r` for a "dist:" call (tools/fuzz/repro.py)."""
    m = call["fn"][5:]
    ex_js = f".expand({call['expand']})" if "expand" in call else ""
    ex_py = f".expand({call['expand']})" if "expand" in call else ""
    dj, dp = _dist_js(call["d"]) + ex_js, _dist_py(call["d"]) + ex_py
    if m == "kl":
        return f"const r = D.klDivergence({dj}, {_dist_js(call['q'])});", f"r = D.kl_divergence({dp}, {_dist_py(call['q'])})"
    if m == "rsample_at":
        return (f"const r = /* the *Draw helper of the class (dist.mts) */ draw({dj}, {call['noise']});",
                f"r = _rsample_at({dp}, {call['noise']}, {call['args'][0]})  # dist_spec._rsample_at")
    a = call.get("args", [])
    if m in ("log_prob", "cdf", "icdf", "entropy", "enumerate_support"):
        return f"const r = ({dj}).{_camel(m)}({', '.join(_rjs(x) for x in a)});", f"r = ({dp}).{m}({', '.join(_rpy(x) for x in a)})"
    return f"const r = ({dj}).{_camel(m)};", f"r = ({dp}).{m}"
