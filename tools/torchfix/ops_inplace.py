"""In-place Tensor methods (docs/core-api.md): forward only. The output is the mutated tensor and
checkArgsAfter repeats it for arg 0, the tensor the method was called on."""
from .spec import Cases, T, bools, ints, kw, nonzero, op, rn

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
