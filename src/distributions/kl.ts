/**
 * `klDivergence(p, q)`: KL(p ‖ q) in closed form for the pairs PyTorch registers among the
 * distributions here, with its formulas (infinite where q rules out what p allows); `registerKl`
 * adds a pair, as PyTorch's `register_kl`.
 */
import { Tensor } from "../core.js";
import { TensileError, fmtValue } from "../errors.js";
import { softplus } from "../ops/activation.js";
import { Distribution } from "./distribution.js";
import { Normal, Uniform, Laplace, Exponential } from "./continuous.js";
import { Bernoulli, Categorical, OneHotCategorical } from "./discrete.js";
import { Independent, sumRightmost } from "./independent.js";
import { Beta, Dirichlet, Gamma, Poisson } from "./gamma.js";
import { MultivariateNormal } from "./multivariate.js";
import { digamma, lgamma } from "../core.js";

type Ctor<D extends Distribution> = abstract new (...args: never[]) => D;
type KlFn = (p: never, q: never) => Tensor;
const registry: [Ctor<Distribution>, Ctor<Distribution>, KlFn][] = [];

/** Registers `fn(p, q)` as KL(p ‖ q) for instances of `P` and `Q` (later registrations win). */
export function registerKl<P extends Distribution, Q extends Distribution>(P: Ctor<P>, Q: Ctor<Q>, fn: (p: P, q: Q) => Tensor): void {
  if (typeof P !== "function" || typeof Q !== "function" || typeof fn !== "function")
    throw new TensileError(`registerKl: expected two Distribution classes and a function, got ${fmtValue(P)}, ${fmtValue(Q)}, ${fmtValue(fn)}`);
  registry.unshift([P, Q, fn as KlFn]);
}

/** KL(p ‖ q), batch-shaped; throws for a pair without a closed form here. */
export function klDivergence(p: Distribution, q: Distribution): Tensor {
  if (!(p instanceof Distribution) || !(q instanceof Distribution))
    throw new TensileError(`klDivergence: expected two Distributions, got ${fmtValue(p)} and ${fmtValue(q)}`);
  for (const [P, Q, fn] of registry) if (p instanceof P && q instanceof Q) return (fn as (a: Distribution, b: Distribution) => Tensor)(p, q);
  throw new TensileError(`klDivergence: no KL(p || q) is implemented for p ${p.constructor.name} and q ${q.constructor.name}; register one with registerKl`);
}

/** Sets `t` to `v` where `mask` holds (a constant, no gradient there), as PyTorch's `t[mask] = v`. */
const setWhere = (t: Tensor, mask: Tensor, v: number): Tensor => t.maskedFill(mask.expand(t.shape), v);

registerKl(Normal, Normal, (p, q) => {
  const varRatio = p.scale.div(q.scale).pow(2);
  const t1 = p.loc.sub(q.loc).div(q.scale).pow(2);
  return varRatio.add(t1).sub(1).sub(varRatio.log()).mul(0.5);
});

registerKl(Bernoulli, Bernoulli, (p, q) => {
  let t1 = p.probs.mul(softplus(q.logits.neg()).sub(softplus(p.logits.neg())));
  t1 = setWhere(setWhere(t1, q.probs.eq(0), Infinity), p.probs.eq(0), 0);
  let t2 = p.probs.neg().add(1).mul(softplus(q.logits).sub(softplus(p.logits)));
  t2 = setWhere(setWhere(t2, q.probs.eq(1), Infinity), p.probs.eq(1), 0);
  return t1.add(t2);
});

function klCategorical(p: Categorical, q: Categorical): Tensor {
  let t = p.probs.mul(p.logits.sub(q.logits));
  t = setWhere(setWhere(t, q.probs.eq(0), Infinity), p.probs.eq(0), 0);
  return t.sum(-1);
}
registerKl(Categorical, Categorical, klCategorical);
registerKl(OneHotCategorical, OneHotCategorical, (p, q) => klCategorical(p.categorical, q.categorical));

registerKl(Uniform, Uniform, (p, q) => {
  const r = q.high.sub(q.low).div(p.high.sub(p.low)).log();
  return setWhere(r, q.low.gt(p.low).logicalOr(q.high.lt(p.high)), Infinity);
});

registerKl(Exponential, Exponential, (p, q) => {
  const ratio = q.rate.div(p.rate);
  return ratio.log().neg().add(ratio).sub(1);
});

registerKl(Laplace, Laplace, (p, q) => {
  const scaleRatio = p.scale.div(q.scale);
  const d = p.loc.sub(q.loc).abs();
  return scaleRatio.log().neg().add(d.div(q.scale)).add(scaleRatio.mul(d.neg().div(p.scale).exp())).sub(1);
});

registerKl(Independent, Independent, (p, q) => {
  if (p.reinterpretedBatchNdims !== q.reinterpretedBatchNdims)
    throw new TensileError(`klDivergence: Independent distributions with different reinterpreted_batch_ndims (${p.reinterpretedBatchNdims} and ${q.reinterpretedBatchNdims})`);
  return sumRightmost(klDivergence(p.baseDist, q.baseDist), p.reinterpretedBatchNdims);
});

registerKl(Gamma, Gamma, (p, q) => {
  const t1 = q.concentration.mul(p.rate.div(q.rate).log());
  const t2 = lgamma(q.concentration).sub(lgamma(p.concentration));
  const t3 = p.concentration.sub(q.concentration).mul(digamma(p.concentration));
  const t4 = q.rate.sub(p.rate).mul(p.concentration.div(p.rate));
  return t1.add(t2).add(t3).add(t4);
});

function klDirichlet(p: Dirichlet, q: Dirichlet): Tensor {
  const sp = p.concentration.sum(-1), sq = q.concentration.sum(-1);
  const t1 = lgamma(sp).sub(lgamma(sq));
  const t2 = lgamma(p.concentration).sub(lgamma(q.concentration)).sum(-1);
  const t3 = p.concentration.sub(q.concentration);
  const t4 = digamma(p.concentration).sub(digamma(sp).unsqueeze(-1));
  return t1.sub(t2).add(t3.mul(t4).sum(-1));
}
registerKl(Dirichlet, Dirichlet, klDirichlet);
registerKl(Beta, Beta, (p, q) => klDirichlet(p.dirichlet, q.dirichlet));

registerKl(Poisson, Poisson, (p, q) => p.rate.mul(p.rate.log().sub(q.rate.log())).sub(p.rate.sub(q.rate)));

registerKl(MultivariateNormal, MultivariateNormal, (p, q) => MultivariateNormal.klDivergence(p, q));
