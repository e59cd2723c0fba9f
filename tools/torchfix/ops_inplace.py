"""In-place Tensor methods (docs/core-api.md): forward only. The output is the mutated tensor and
checkArgsAfter repeats it for arg 0, the tensor the method was called on."""
from .spec import Cases, T, bools, kw, nonzero, op, rn

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
