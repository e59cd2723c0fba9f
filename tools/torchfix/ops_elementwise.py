"""Elementwise ops: arithmetic, math functions, clamp, maximum/minimum, comparisons, logic, where."""
import torch

from .spec import Cases, T, away, bools, f64, grid, ints, kw, nonzero, op, pos, rn, ru


# ---- adapters ----

@op("add")
def _add(a, b, opts=None):
    return torch.add(a, b, **kw(opts))


@op("sub")
def _sub(a, b, opts=None):
    return torch.sub(a, b, **kw(opts))


@op("mul")
def _mul(a, b):
    return torch.mul(a, b)


@op("div")
def _div(a, b, opts=None):
    return torch.div(a, b, **kw(opts))


op("floorDivide", diff=False)(lambda a, b: torch.floor_divide(a, b))  # torch has no derivative
op("remainder")(lambda a, b: torch.remainder(a, b))
op("pow")(lambda a, b: torch.pow(a, b))
op("maximum")(lambda a, b: torch.maximum(a, b))
op("minimum")(lambda a, b: torch.minimum(a, b))

UNARY = {
    "neg": torch.neg, "exp": torch.exp, "expm1": torch.expm1, "log": torch.log,
    "log1p": torch.log1p, "sqrt": torch.sqrt, "rsqrt": torch.rsqrt, "abs": torch.abs,
    "sign": torch.sign, "reciprocal": torch.reciprocal, "sin": torch.sin, "cos": torch.cos,
    "round": torch.round, "floor": torch.floor, "ceil": torch.ceil, "erf": torch.erf,
}
for _name, _fn in UNARY.items():
    op(_name)(lambda x, _fn=_fn: _fn(x))


@op("clamp")
def _clamp(x, lo=None, hi=None):
    return torch.clamp(x, lo, hi)


COMPARE = {"eq": torch.eq, "ne": torch.ne, "lt": torch.lt, "le": torch.le, "gt": torch.gt,
           "ge": torch.ge}
for _name, _fn in COMPARE.items():
    op(_name, diff=False)(lambda a, b, _fn=_fn: _fn(a, b))

LOGIC = {"logicalAnd": torch.logical_and, "logicalOr": torch.logical_or,
         "logicalXor": torch.logical_xor}
for _name, _fn in LOGIC.items():
    op(_name, diff=False)(lambda a, b, _fn=_fn: _fn(a, b))
op("logicalNot", diff=False)(lambda x: torch.logical_not(x))
op("isnan", diff=False)(lambda x: torch.isnan(x))
op("isfinite", diff=False)(lambda x: torch.isfinite(x))
op("where")(lambda c, a, b: torch.where(c, a, b))


# ---- cases ----

def binary_cases(name, gen_a, gen_b, scalar=2.5, size0=True):
    """The shared binary-op matrix: plain, broadcasting (size-1 dims, rank differences, 0-d),
    a number operand, non-contiguous views, size-0, float64."""
    c = Cases(name)
    c("plain", T(gen_a(2, 3)), T(gen_b(2, 3)))
    c("broadcast_row", T(gen_a(2, 3)), T(gen_b(3)))
    c("broadcast_col", T(gen_a(2, 3)), T(gen_b(2, 1)))
    c("broadcast_both", T(gen_a(3, 1)), T(gen_b(1, 4)))
    c("broadcast_rank", T(gen_a(3, 1)), T(gen_b(2, 1, 4)))
    c("zero_dim", T(gen_a()), T(gen_b(2, 3)))
    if scalar is not None:
        c("scalar", T(gen_a(2, 3)), scalar)
    c("noncontig_transpose", T(gen_a(3, 2), view=[["transpose", 0, 1]]), T(gen_b(2, 3)))
    c("noncontig_slice", T(gen_a(2, 3)), T(gen_b(2, 6), view=[["index", [":", "::2"]]]))
    c("noncontig_expand", T(gen_a(1, 3), view=[["expand", [2, 3]]]), T(gen_b(2, 3)))
    c("noncontig_permute_broadcast", T(gen_a(4, 2, 3), view=[["permute", [1, 2, 0]]]),
      T(gen_b(3, 1)))
    if size0:
        c("size0", T(gen_a(0, 3)), T(gen_b(3)))
    c("float64", T(f64(gen_a(3, 2))), T(f64(gen_b(3, 2))))
    return c


def remainder_pair(shape_a, shape_b):
    """a = b * (k + f) with f in [0.15, 0.85]: away from remainder's jumps at multiples of b."""
    b = nonzero(*shape_b)
    q = torch.randint(-3, 3, shape_a).float() + ru(0.15, 0.85, *shape_a)
    return q * b, b


def cases():
    isclose_cases()
    c = binary_cases("add", rn, rn)
    c("alpha", T(rn(2, 3)), T(rn(3)), {"alpha": 0.5})
    c("int32", T(ints(-5, 5, 2, 3)), T(ints(-5, 5, 3)))
    c("int32_float", T(ints(-5, 5, 2, 3)), T(rn(2, 3)))
    c = binary_cases("sub", rn, rn)
    c("alpha", T(rn(2, 3)), T(rn(2, 3)), {"alpha": -2})
    c("int32", T(ints(-5, 5, 2, 3)), T(ints(-5, 5, 2, 3)))
    c = binary_cases("mul", rn, rn)
    c("int32", T(ints(-5, 5, 2, 3)), T(ints(-5, 5, 3)))
    c("bool_float", T(bools(2, 3)), T(rn(2, 3)))
    c = binary_cases("div", rn, nonzero)
    c("int32_true_div", T(ints(-9, 9, 2, 3)), T(ints(1, 4, 2, 3)))
    for mode in ("trunc", "floor"):
        c(f"{mode}", T(rn(2, 3) * 4), T(nonzero(2, 3)), {"roundingMode": mode})
        c(f"{mode}_int32", T(ints(-9, 9, 2, 3)), T(ints(1, 4, 2, 3) * torch.tensor([1, -1, 1])),
          {"roundingMode": mode})
        c(f"{mode}_scalar", T(rn(2, 3) * 4), -1.5, {"roundingMode": mode})
    c = Cases("floorDivide")
    c("plain", T(rn(2, 3) * 4), T(nonzero(2, 3)))
    c("broadcast", T(rn(2, 3) * 4), T(nonzero(3)))
    c("scalar", T(rn(2, 3) * 4), 0.75)
    c("int32", T(ints(-9, 9, 2, 3)), T(ints(1, 4, 3) * torch.tensor([1, -1, 1])))
    c("noncontig", T(rn(3, 2) * 4, view=[["transpose", 0, 1]]), T(nonzero(2, 3)))
    c("float64", T(f64(rn(2, 3) * 4)), T(f64(nonzero(2, 3))))

    c = Cases("remainder")
    c("plain", *map(T, remainder_pair((2, 3), (2, 3))))
    c("broadcast", *map(T, remainder_pair((2, 3), (3,))))
    a, b = remainder_pair((2, 3), (2, 3))
    c("noncontig", T(a.t().contiguous(), view=[["transpose", 0, 1]]), T(b))
    c("scalar", T(torch.tensor([-2.3, -0.4, 0.6, 1.2, 3.9, 5.1])), 1.5)
    c("int32", T(ints(-9, 9, 2, 3)), T(ints(1, 4, 3) * torch.tensor([1, -1, 1])))
    a, b = remainder_pair((2, 3), (2, 3))
    c("float64", T(f64(a)), T(f64(b)))
    c("size0", T(rn(0, 3)), T(nonzero(3)))

    c = binary_cases("pow", pos, rn, scalar=None)
    c("scalar_exponent_2", T(rn(2, 3)), 2)
    c("scalar_exponent_3_negative_base", T(rn(2, 3)), 3)
    c("scalar_exponent_half", T(pos(2, 3)), 0.5)
    c("scalar_exponent_negative", T(pos(2, 3)), -1.5)
    c("scalar_base", 2.0, T(rn(2, 3)))
    c("int32", T(ints(-3, 4, 2, 3)), T(ints(0, 4, 2, 3)))

    # maximum/minimum: grids offset by 0.1 never tie.
    ga = lambda *s: grid(*s, offset=0.1)
    for name in ("maximum", "minimum"):
        c = binary_cases(name, ga, grid, scalar=None)
        c("int32", T(ints(-5, 5, 2, 3)), T(ints(-5, 5, 3)))

    unary_domains = {
        "neg": rn, "exp": rn, "expm1": rn, "log": pos, "log1p": lambda *s: ru(-0.5, 2.0, *s),
        "sqrt": pos, "rsqrt": pos, "abs": lambda *s: away(rn(*s)), "sign": lambda *s: away(rn(*s)),
        "reciprocal": nonzero, "sin": lambda *s: rn(*s) * 2, "cos": lambda *s: rn(*s) * 2,
        "round": lambda *s: torch.randint(-4, 4, s).float() + ru(0.1, 0.4, *s)
        * torch.where(torch.rand(s) < 0.5, -1.0, 1.0),
        "floor": lambda *s: torch.randint(-4, 4, s).float() + ru(0.1, 0.9, *s),
        "ceil": lambda *s: torch.randint(-4, 4, s).float() + ru(0.1, 0.9, *s),
        "erf": rn,
    }
    specials = {
        "log": [0.0, -1.0, float("inf"), 1.0],
        "log1p": [-1.0, -2.0, 0.0, float("inf")],
        "sqrt": [0.0, -1.0, float("inf"), 4.0],
        "rsqrt": [0.0, -1.0, float("inf"), 4.0],
        "exp": [float("-inf"), float("inf"), float("nan"), 100.0],
        "expm1": [float("-inf"), float("inf"), 1e-8, 100.0],
        "reciprocal": [0.0, -0.0, float("inf"), 2.0],
        "sign": [0.0, -3.0, float("inf"), float("nan")],
        "abs": [-0.0, float("-inf"), -2.5, float("nan")],
        "round": [0.5, 1.5, 2.5, -0.5, -1.5, 2.4999],
        "floor": [-0.5, -0.0, float("inf"), 2.0],
        "ceil": [-0.5, 0.5, float("-inf"), 2.0],
        "erf": [float("inf"), float("-inf"), 0.0, 6.0],
        "neg": [float("inf"), 0.0, float("nan"), 1.0],
        "sin": [0.0, float("inf"), 3.0, -1.0],
        "cos": [0.0, float("inf"), 3.0, -1.0],
    }
    for name, gen in unary_domains.items():
        c = Cases(name)
        c("plain", T(gen(2, 3)))
        c("zero_dim", T(gen()))
        c("noncontig_permute", T(gen(2, 3, 4), view=[["permute", [2, 0, 1]]]))
        c("noncontig_slice", T(gen(4, 5), view=[["index", ["1:", "::2"]]]))
        c("size0", T(gen(0, 3)))
        c("float64", T(f64(gen(3, 2))))
        if name in specials:
            c("special_values", T(torch.tensor(specials[name]), grad=False))
        if name in ("neg", "abs", "sign"):
            c("int32", T(ints(-5, 5, 2, 3)))

    c = Cases("clamp")
    x = lambda *s: away(rn(*s), (-0.5, 0.5))
    c("min_max", T(x(2, 3)), -0.5, 0.5)
    c("min_only", T(x(2, 3)), -0.5)
    c("max_only", T(x(2, 3)), None, 0.5)
    c("noncontig", T(x(3, 2), view=[["transpose", 0, 1]]), -0.5, 0.5)
    c("size0", T(rn(0, 2)), -0.5, 0.5)
    c("float64", T(f64(x(2, 3))), -0.5, 0.5)
    c("int32", T(ints(-5, 5, 2, 3)), -2, 3)
    c("min_greater_than_max", T(x(2, 3)), 0.5, -0.5)

    for name in COMPARE:
        c = Cases(name)
        g = lambda *s: torch.randint(-2, 3, s).float()  # small integers: many exact ties
        c("plain", T(g(2, 3)), T(g(2, 3)))
        c("broadcast", T(g(2, 1, 3)), T(g(4, 1)))
        c("scalar", T(g(2, 3)), 1)
        c("noncontig", T(g(3, 2), view=[["transpose", 0, 1]]), T(g(2, 3)))
        c("size0", T(g(0, 3)), T(g(3)))
        c("int32", T(ints(-2, 3, 2, 3)), T(ints(-2, 3, 2, 3)))
        c("int32_float", T(ints(-2, 3, 2, 3)), T(g(3) + 0.5))
        c("float64", T(f64(g(2, 3))), T(f64(g(2, 3))))
        c("nan", T(torch.tensor([float("nan"), 1.0, float("inf")])),
          T(torch.tensor([float("nan"), float("nan"), float("inf")])))

    for name in LOGIC:
        c = Cases(name)
        c("bool", T(bools(2, 3)), T(bools(2, 3)))
        c("broadcast", T(bools(2, 1, 3)), T(bools(4, 1)))
        c("float", T(torch.tensor([0.0, 1.5, -2.0, 0.0])), T(torch.tensor([0.0, 0.0, 3.0, 1.0])))
        c("int32_bool", T(ints(-1, 2, 2, 3)), T(bools(3)))
        c("noncontig", T(bools(3, 2), view=[["transpose", 0, 1]]), T(bools(2, 3)))
        c("size0", T(bools(0, 2)), T(bools(2)))
    c = Cases("logicalNot")
    c("bool", T(bools(2, 3)))
    c("float", T(torch.tensor([0.0, 1.5, -2.0, float("nan")])))
    c("int32", T(ints(-1, 2, 2, 3)))
    c("noncontig", T(bools(3, 2), view=[["transpose", 0, 1]]))
    c("size0", T(bools(0, 2)))

    for name in ("isnan", "isfinite"):
        c = Cases(name)
        c("plain", T(torch.tensor([[1.0, float("nan"), float("inf")],
                                   [float("-inf"), -0.0, 3e38]])))
        c("noncontig", T(torch.tensor([[1.0, float("nan")], [float("inf"), 2.0],
                                       [float("nan"), float("-inf")]]), view=[["transpose", 0, 1]]))
        c("int32", T(ints(-3, 3, 2, 3)))
        c("size0", T(rn(0, 3)))
        c("float64", T(torch.tensor([float("nan"), 1e300, float("inf")], dtype=torch.float64)))

    c = Cases("where")
    c("plain", T(bools(2, 3)), T(rn(2, 3)), T(rn(2, 3)))
    c("broadcast", T(bools(2, 1)), T(rn(3)), T(rn(2, 3)))
    c("broadcast_rank", T(bools(3)), T(rn(2, 1, 1)), T(rn(4, 1)))
    c("scalar_other", T(bools(2, 3)), T(rn(2, 3)), 0.0)
    c("scalar_both", T(bools(2, 3)), 1.0, -1.0)
    c("noncontig", T(bools(3, 2), view=[["transpose", 0, 1]]), T(rn(2, 3)),
      T(rn(3, 2), view=[["transpose", 0, 1]]))
    c("size0", T(bools(0, 3)), T(rn(0, 3)), T(rn(3)))
    c("float64", T(bools(2, 3)), T(f64(rn(2, 3))), T(f64(rn(2, 3))))
    c("int32", T(bools(2, 3)), T(ints(-5, 5, 2, 3)), T(ints(-5, 5, 2, 3)))


op("isclose", diff=False)(lambda a, b, opts=None: torch.isclose(a, b, **kw(opts)))


def isclose_cases():
    c = Cases("isclose")  # seeds the generator: every random input below comes after it
    base = rn(3, 4)
    near = base + torch.randn(3, 4) * 1e-6 * torch.where(torch.rand(3, 4) < 0.5, 1.0, 100.0)
    c("near_and_far", T(base), T(near))
    c("options", T(base), T(near), {"rtol": 1e-3, "atol": 1e-4})
    specials = torch.tensor([1.0, float("inf"), float("-inf"), float("nan"), float("inf"), 0.0])
    other = torch.tensor([1.0, float("inf"), float("inf"), float("nan"), 1e30, 1e-9])
    c("specials", T(specials), T(other))
    c("equal_nan", T(specials), T(other), {"equalNan": True})
    c("broadcast", T(rn(2, 3)), T(rn(3)), {"atol": 1.0})
    c("int32", T(ints(-3, 3, 2, 4)), T(ints(-3, 3, 2, 4)), {"atol": 1.0})
    c("float64", T(f64(base)), T(f64(near)))
