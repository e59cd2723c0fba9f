"""In-place Tensor methods (docs/core-api.md): forward only. The output is the mutated tensor and
checkArgsAfter repeats it for arg 0, the tensor the method was called on."""
import re

import torch

from .spec import Cases, T, bools, f64, ints, kw, long, nonzero, op, pos, rn, ru

op("copy_", diff=False)(lambda x, src: x.copy_(src))
op("fill_", diff=False)(lambda x, v: x.fill_(v))
op("zero_", diff=False)(lambda x: x.zero_())
op("add_", diff=False)(lambda x, o, opts=None: x.add_(o, **kw(opts)))
op("sub_", diff=False)(lambda x, o, opts=None: x.sub_(o, **kw(opts)))
op("mul_", diff=False)(lambda x, o: x.mul_(o))
op("div_", diff=False)(lambda x, o: x.div_(o))
op("addcmul_", diff=False)(lambda x, a, b, opts=None: x.addcmul_(a, b, **kw(opts)))
op("addcdiv_", diff=False)(lambda x, a, b, opts=None: x.addcdiv_(a, b, **kw(opts)))
op("clamp_", diff=False)(lambda x, lo=None, hi=None: x.clamp_(lo, hi))
op("maskedFill_", diff=False)(lambda x, m, v: x.masked_fill_(m, v))
# integer and bit ops; torch's gcd_/lcm_ take tensors only, Tensile's take numbers too
op("gcd_", diff=False)(lambda x, o: x.gcd_(o))
op("lcm_", diff=False)(lambda x, o: x.lcm_(o))
op("bitwiseAnd_", diff=False)(lambda x, o: x.bitwise_and_(o))
op("bitwiseOr_", diff=False)(lambda x, o: x.bitwise_or_(o))
op("bitwiseXor_", diff=False)(lambda x, o: x.bitwise_xor_(o))
op("bitwiseNot_", diff=False)(lambda x: x.bitwise_not_())
op("bitwiseLeftShift_", diff=False)(lambda x, o: x.bitwise_left_shift_(o))
op("bitwiseRightShift_", diff=False)(lambda x, o: x.bitwise_right_shift_(o))


def cases():
    after = [0]
    Cases("copy_")("broadcast", T(rn(2, 3)), T(rn(3)), check_args_after=after)
    Cases("fill_")("plain", T(rn(2, 3)), 1.25, check_args_after=after)
    Cases("zero_")("plain", T(rn(2, 3)), check_args_after=after)
    c = Cases("add_")
    c("tensor_alpha", T(rn(2, 3)), T(rn(3)), {"alpha": -0.5}, check_args_after=after)
    c("number", T(rn(2, 3)), 2.0, check_args_after=after)
    c = Cases("sub_")
    c("tensor_alpha", T(rn(2, 3)), T(rn(2, 3)), {"alpha": 2}, check_args_after=after)
    Cases("mul_")("tensor", T(rn(2, 3)), T(rn(2, 1)), check_args_after=after)
    Cases("div_")("tensor", T(rn(2, 3)), T(nonzero(3)), check_args_after=after)
    Cases("addcmul_")("value", T(rn(2, 3)), T(rn(2, 3)), T(rn(3)), {"value": 0.5},
                      check_args_after=after)
    Cases("addcdiv_")("value", T(rn(2, 3)), T(rn(2, 3)), T(nonzero(2, 3)), {"value": -2},
                      check_args_after=after)
    Cases("clamp_")("min_max", T(rn(2, 3)), -0.5, 0.5, check_args_after=after)
    Cases("maskedFill_")("plain", T(rn(2, 3)), T(bools(3)), -3.0, check_args_after=after)

    int_cases()
    api_cases()


def int_cases():
    after = [0]
    Cases("gcd_")("broadcast", T(ints(-20, 20, 2, 3)), T(ints(-12, 12, 3)), check_args_after=after)
    Cases("lcm_")("broadcast", T(ints(-9, 9, 2, 3)), T(ints(-6, 6, 2, 1)), check_args_after=after)
    for name in ("bitwiseAnd_", "bitwiseOr_", "bitwiseXor_"):
        c = Cases(name)
        c("int32", T(ints(-50, 50, 2, 4)), T(ints(-50, 50, 4)), check_args_after=after)
        c("number", T(ints(-50, 50, 5)), 6, check_args_after=after)
        c("int_bool", T(ints(-50, 50, 2, 3)), T(bools(3)), check_args_after=after)
        c("bool", T(bools(2, 3)), T(bools(2, 3)), check_args_after=after)
    c = Cases("bitwiseNot_")
    c("int32", T(ints(-50, 50, 2, 3)), check_args_after=after)
    c("bool", T(bools(5)), check_args_after=after)
    c = Cases("bitwiseLeftShift_")
    c("tensor", T(ints(-50, 50, 2, 3)), T(ints(0, 8, 3)), check_args_after=after)
    c("number", T(ints(-50, 50, 4)), 3, check_args_after=after)
    c = Cases("bitwiseRightShift_")
    c("tensor", T(ints(-500, 500, 2, 3)), T(ints(0, 8, 2, 1)), check_args_after=after)
    c("number", T(ints(-500, 500, 4)), 2, check_args_after=after)


# ---- in-place forms added with tensor/inplace-methods.ts (torch's snake_case method names) ----
def _snake_method(name):
    return re.sub(r"[A-Z]", lambda m: "_" + m.group(0).lower(), name)


API_UNARY = ("abs absolute neg negative sign sgn exp exp2 expm1 log log2 log10 log1p sqrt rsqrt square reciprocal "
             "sin cos tan asin acos atan sinh cosh tanh asinh acosh atanh arcsin arccos arctan arcsinh arccosh "
             "arctanh sigmoid erf erfc erfinv lgamma digamma i0 sinc deg2rad rad2deg floor ceil round trunc fix frac "
             "logicalNot").split()
API_BINARY = ("pow fmod remainder floorDivide trueDivide multiply hypot copysign heaviside nextafter ldexp xlogy "
              "atan2 arctan2 eq ne lt le gt ge greater greaterEqual less lessEqual notEqual logicalAnd logicalOr "
              "logicalXor igamma igammac clampMin clampMax").split()
for _name in API_UNARY:
    op(_name + "_", diff=False)(lambda x, _m=_snake_method(_name) + "_": getattr(x, _m)())
for _name in API_BINARY:
    op(_name + "_", diff=False)(lambda x, o, _m=_snake_method(_name) + "_": getattr(x, _m)(o))
op("divide_", diff=False)(lambda x, o, opts=None: x.divide_(o, **kw(opts)))
op("subtract_", diff=False)(lambda x, o, opts=None: x.subtract_(o, **kw(opts)))
op("floatPower_", diff=False)(lambda x, o: x.float_power_(o))
op("logit_", diff=False)(lambda x, eps=None: x.logit_(eps))
op("polygamma_", diff=False)(lambda x, n: x.polygamma_(n))
op("mvlgamma_", diff=False)(lambda x, p: x.mvlgamma_(p))
op("lerp_", diff=False)(lambda x, end, w: x.lerp_(end, w))
op("nanToNum_", diff=False)(lambda x, nan=None, posinf=None, neginf=None: x.nan_to_num_(nan, posinf, neginf))
op("clip_", diff=False)(lambda x, lo=None, hi=None: x.clip_(lo, hi))
op("cumsum_", diff=False)(lambda x, d: x.cumsum_(d))
op("cumprod_", diff=False)(lambda x, d: x.cumprod_(d))
op("tril_", diff=False)(lambda x, d=0: x.tril_(d))
op("triu_", diff=False)(lambda x, d=0: x.triu_(d))
op("scatter_", diff=False)(lambda x, d, i, src: x.scatter_(d, long(i), src))
op("scatterAdd_", diff=False)(lambda x, d, i, src: x.scatter_add_(d, long(i), src))
op("fillDiagonal_", diff=False)(lambda x, v, wrap=False: x.fill_diagonal_(v, wrap))
op("put_", diff=False)(lambda x, i, src, acc=False: x.put_(long(i), src, acc))


def api_cases():
    after = [0]
    inputs = {  # the domain each op needs (default: standard normal)
        "log": pos, "log2": pos, "log10": pos, "sqrt": pos, "rsqrt": pos, "lgamma": pos, "digamma": pos,
        "log1p": pos, "reciprocal": nonzero, "acosh": lambda *s: pos(*s) + 1, "arccosh": lambda *s: pos(*s) + 1,
        "asin": lambda *s: ru(-0.9, 0.9, *s), "acos": lambda *s: ru(-0.9, 0.9, *s),
        "atanh": lambda *s: ru(-0.9, 0.9, *s), "arcsin": lambda *s: ru(-0.9, 0.9, *s),
        "arccos": lambda *s: ru(-0.9, 0.9, *s), "arctanh": lambda *s: ru(-0.9, 0.9, *s),
        "erfinv": lambda *s: ru(-0.9, 0.9, *s),
    }
    for name in API_UNARY:
        c = Cases(name + "_")
        make = inputs.get(name, rn)
        if name == "logicalNot":
            c("float", T(torch.tensor([0.0, 1.5, -2.0, 0.0])), check_args_after=after)
            c("bool", T(bools(2, 3)), check_args_after=after)
            continue
        c("float32", T(make(2, 3)), check_args_after=after)
        c("float64", T(f64(make(5))), check_args_after=after)
        if name in ("abs", "absolute", "neg", "negative", "sign", "sgn", "square", "floor", "ceil", "round",
                    "trunc", "fix"):
            c("int32", T(ints(-9, 9, 2, 3)), check_args_after=after)
    others = {
        "pow": lambda: (T(pos(2, 3)), T(rn(3))), "fmod": lambda: (T(rn(2, 3)), T(nonzero(3))),
        "remainder": lambda: (T(rn(2, 3)), T(nonzero(3))), "floorDivide": lambda: (T(rn(2, 3)), T(nonzero(3))),
        "trueDivide": lambda: (T(rn(2, 3)), T(nonzero(3))), "ldexp": lambda: (T(rn(2, 3)), T(ints(-3, 4, 3))),
        "xlogy": lambda: (T(rn(2, 3)), T(pos(3))), "igamma": lambda: (T(pos(2, 3)), T(pos(3))),
        "igammac": lambda: (T(pos(2, 3)), T(pos(3))),
        "logicalAnd": lambda: (T(bools(2, 3)), T(bools(3))), "logicalOr": lambda: (T(rn(2, 3)), T(bools(3))),
        "logicalXor": lambda: (T(bools(2, 3)), T(bools(2, 3))),
        "heaviside": lambda: (T(torch.tensor([[-1.0, 0.0, 2.0], [0.0, 3.0, -0.5]])), T(rn(3))),
    }
    numbers = {"pow": 2.0, "fmod": 1.5, "remainder": -1.5, "floorDivide": 0.75, "trueDivide": 4.0, "multiply": 3.0,
               "eq": 0.5, "ne": 0.5, "lt": 0.1, "le": 0.1, "gt": -0.1, "ge": -0.1, "greater": 0.0,
               "greaterEqual": 0.0, "less": 0.0, "lessEqual": 0.0, "notEqual": 0.0, "clampMin": -0.3,
               "clampMax": 0.3}
    for name in API_BINARY:
        c = Cases(name + "_")
        c("tensor", *others.get(name, lambda: (T(rn(2, 3)), T(rn(3))))(), check_args_after=after)
        if name in numbers:
            c("number", T(rn(2, 3)), numbers[name], check_args_after=after)
        if name in ("eq", "ne", "lt", "ge", "floorDivide", "remainder", "multiply"):
            c("int32", T(ints(-9, 9, 2, 3)), T(ints(1, 5, 3)), check_args_after=after)
    c = Cases("divide_")
    c("tensor", T(rn(2, 3)), T(nonzero(3)), check_args_after=after)
    c("floor", T(rn(2, 3) * 4), T(nonzero(2, 3)), {"roundingMode": "floor"}, check_args_after=after)
    c("trunc_int", T(ints(-20, 20, 2, 3)), 3, {"roundingMode": "trunc"}, check_args_after=after)
    c = Cases("subtract_")
    c("alpha", T(rn(2, 3)), T(rn(3)), {"alpha": 0.5}, check_args_after=after)
    c = Cases("floatPower_")
    c("float64", T(f64(pos(2, 3))), T(rn(3)), check_args_after=after)
    c("number", T(f64(rn(4))), 3, check_args_after=after)
    c = Cases("logit_")
    c("plain", T(ru(0.1, 0.9, 2, 3)), check_args_after=after)
    c("eps", T(torch.tensor([0.0, 0.02, 0.5, 1.0])), 0.05, check_args_after=after)
    Cases("polygamma_")("n1", T(pos(2, 3)), 1, check_args_after=after)
    Cases("mvlgamma_")("p2", T(ru(1.0, 3.0, 2, 3)), 2, check_args_after=after)
    c = Cases("lerp_")
    c("number", T(rn(2, 3)), T(rn(2, 3)), 0.3, check_args_after=after)
    c("tensor", T(rn(2, 3)), T(rn(3)), T(ru(0, 1, 2, 3)), check_args_after=after)
    c = Cases("nanToNum_")
    nan_inf = torch.tensor([float("nan"), float("inf"), -float("inf"), 1.5])
    c("defaults", T(nan_inf), check_args_after=after)
    c("values", T(nan_inf), 0.5, 100.0, -100.0, check_args_after=after)
    Cases("clip_")("min_max", T(rn(2, 3)), -0.5, 0.5, check_args_after=after)
    c = Cases("cumsum_")
    c("dim1", T(rn(2, 3)), 1, check_args_after=after)
    c("int32", T(ints(-9, 9, 4)), 0, check_args_after=after)
    Cases("cumprod_")("dim0", T(rn(3, 2)), 0, check_args_after=after)
    c = Cases("tril_")
    c("plain", T(rn(3, 4)), check_args_after=after)
    c("batched_offset", T(rn(2, 3, 3)), -1, check_args_after=after)
    Cases("triu_")("offset", T(rn(3, 4)), 1, check_args_after=after)
    c = Cases("scatter_")
    c("tensor", T(rn(3, 4)), 0, T(torch.stack([torch.randperm(3)[:2] for _ in range(4)], 1).int()), T(rn(2, 4)),
      check_args_after=after)
    c("number", T(rn(3, 4)), 1, T(torch.tensor([[0], [3], [1]], dtype=torch.int32)), 7.5, check_args_after=after)
    Cases("scatterAdd_")("dim0", T(rn(3, 4)), 0, T(ints(0, 3, 5, 4)), T(rn(5, 4)), check_args_after=after)
    c = Cases("fillDiagonal_")
    c("square", T(rn(3, 3)), 2.5, check_args_after=after)
    c("wide", T(rn(2, 4)), -1.0, check_args_after=after)
    c("tall", T(rn(7, 3)), 4.0, check_args_after=after)
    c("tall_wrap", T(rn(7, 3)), 4.0, True, check_args_after=after)
    c("cube", T(rn(3, 3, 3)), 1.0, check_args_after=after)
    c = Cases("put_")
    c("plain", T(rn(2, 3)), T(torch.tensor([5, 0, -2], dtype=torch.int32)), T(rn(3)), check_args_after=after)
    c("accumulate", T(rn(2, 3)), T(torch.tensor([[1, 1], [4, 1]], dtype=torch.int32)), T(rn(2, 2)), True,
      check_args_after=after)
